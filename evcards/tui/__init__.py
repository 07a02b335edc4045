"""Full-screen terminal views over the library, in Textual: `mark` (tui/mark.py) and `browse`
(tui/browse.py).

Only `evcards mark`, `browse` (and `cut` on a terminal) import this package, so no other
command pays for loading Textual (tests/test_startup.py)."""
