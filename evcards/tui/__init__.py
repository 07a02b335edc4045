"""The terminal UI (Textual): mark and browse."""
