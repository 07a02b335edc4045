"""Hermetic tests: every test gets its own EVCARDS_HOME and library, a fixed terminal width,
and a working directory outside the repo (so the bundled cards/ is never found by accident)."""

from __future__ import annotations

from pathlib import Path

import pytest
from budget import PROFILE, examples
from hypothesis import settings
from typer.testing import CliRunner

from evcards.store.library import Library

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"

# Property tests that set no budget of their own take Hypothesis' default (100) in full.
settings.register_profile("evcards", max_examples=examples(100))
settings.load_profile("evcards")


def pytest_report_header() -> str:
    return f"evcards test profile: {PROFILE} (EVCARDS_TESTS=full|fast; see tests/budget.py)"


@pytest.fixture(autouse=True)
def _hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVCARDS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EVCARDS_LIBRARY", str(tmp_path / "library"))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("EVCARDS_DEBUG", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return Library.open(tmp_path / "library", create=True)


@pytest.fixture
def corpus() -> Path:
    """../shared/corpus beside the repo; tests that need it skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below root with its bytes (derived state in .evcards/ left out)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".evcards" not in p.relative_to(root).parts
    }
