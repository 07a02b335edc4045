"""Size limits on what evcards reads: far above any real card, far below what hurts.

A real card body is a few thousand words and a card file a few dozen kilobytes; round
documents run to a few megabytes. Anything past these limits is refused with a clear error
instead of being parsed, so a hostile or broken file costs a bounded amount of time and memory.
"""

MAX_TEXT_FILE_BYTES = 20 * 1024 * 1024  # a pasted-text or markup file
MAX_CARD_FILE_BYTES = 4 * 1024 * 1024  # one card's TOML file
MAX_CARD_CHARS = 1_000_000  # the text of one card body

# Dataset rows (collections). A row past these is reported as a bad row and skipped; the
# file goes on. The field limit also bounds what an unclosed CSV quote can swallow.
MAX_DATASET_FIELD_CHARS = 4 * 1024 * 1024  # one CSV field (csv.field_size_limit)
MAX_DATASET_ROW_BYTES = 16 * 1024 * 1024  # one JSON line
MAX_MARKUP_TAGS = 50_000  # elements in one row's markup HTML (a real card has a few hundred)
MAX_MARKUP_DEPTH = 64  # inline elements open at once in it (a real card: 3 or 4)


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"
