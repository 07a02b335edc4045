"""evcards: a command-line manager for competitive-debate evidence."""

__version__ = "0.1.0"
