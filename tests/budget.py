"""Hypothesis budgets: each property test's full budget in CI, a tenth of it locally.

`EVCARDS_TESTS=full` (what `.ci/run` sets, and the default when `CI` is set) runs every
property test at the budget written beside it; `EVCARDS_TESTS=fast` (the local default) runs
a tenth, at least 20 examples, so that the whole suite runs in about a minute on two cores.
"""

from __future__ import annotations

import os

PROFILE = os.environ.get("EVCARDS_TESTS") or ("full" if os.environ.get("CI") else "fast")
if PROFILE not in ("full", "fast"):
    raise SystemExit(f"EVCARDS_TESTS must be 'full' or 'fast', not {PROFILE!r}")


def scaled(full: int, floor: int) -> int:
    """`full` rounds of a repeated check in the full profile; a tenth, at least `floor`, fast."""
    return full if PROFILE == "full" else max(floor, full // 10)


def examples(full: int) -> int:
    """The number of examples to run of a property test whose full budget is `full`."""
    return scaled(full, 20)
