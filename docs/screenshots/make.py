"""Make the README's screenshots: `evcards mark` and `evcards browse` on the starter library,
run headless by Textual's Pilot and saved as SVG (Textual's own screenshot).

    .venv/bin/python docs/screenshots/make.py

Writes docs/screenshots/browse.svg and mark.svg. The starter library (cards/) is copied to a
temporary folder first, with a speech made current there, so nothing in the repository but
the two pictures changes and the pictures do not depend on your own config.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SIZE = (120, 34)
MARK_CARD = "62e6fa1a506b60cd"  # Meick 18: underline, emphasis and highlight in one card


def starter(work: Path) -> Path:
    root = work / "library"
    shutil.copytree(REPO / "cards", root, ignore=shutil.ignore_patterns(".evcards"))
    return root


async def shoot_browse(root: Path) -> Path:
    from evcards import speeches
    from evcards.store.library import Library
    from evcards.tui.browse import BrowseApp, BrowseScreen

    lib = Library.open(root)
    speeches.new_speech(lib, "1nc")
    screen = BrowseScreen(lib, "alliance")
    app = BrowseApp(screen)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(500):
            await pilot.pause(0.02)
            if screen.shown == "alliance":
                break
        else:
            raise SystemExit("browse never showed its results")
        await pilot.press("down", "down", "down")  # Meick 18, a card with every kind of mark
        await pilot.pause(0.2)
        return Path(app.save_screenshot("browse.svg", str(HERE)))


async def shoot_mark(root: Path) -> Path:
    from textual.app import App  # noqa: TID251 (a host for the screen, as the tests use)

    from evcards.tui.mark import MarkScreen

    class MarkApp(App[None]):
        TITLE = "evcards mark"

        def on_mount(self) -> None:
            self.push_screen(MarkScreen(root, MARK_CARD))

    app = MarkApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        await pilot.press("shift+right", "shift+right", "shift+right")
        await pilot.pause(0.2)
        return Path(app.save_screenshot("mark.svg", str(HERE)))


def main() -> None:
    sys.path.insert(0, str(REPO))
    work = Path(tempfile.mkdtemp(prefix="evcards-screenshots-"))
    os.environ["EVCARDS_HOME"] = str(work / "home")  # the default config: 250 wpm, yellow
    os.environ.pop("EVCARDS_LIBRARY", None)
    try:
        root = starter(work)
        print(f"wrote {asyncio.run(shoot_browse(root)).relative_to(REPO)}")
        if importlib.util.find_spec("evcards.tui.mark") is None:
            print("skipped mark.svg: evcards.tui.mark is not in this checkout yet")
        else:
            print(f"wrote {asyncio.run(shoot_mark(root)).relative_to(REPO)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
