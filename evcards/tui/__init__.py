"""Full-screen terminal views over the library, in Textual: `mark` (tui/mark.py).

Only `evcards mark` (and `cut` on a terminal) imports this package, so no other command
pays for loading Textual (tests/test_startup.py)."""
