"""A real terminal for tests and benchmarks: a tmux server of our own (its own socket, so no
other tmux is touched), one window of a given size running one command."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
from pathlib import Path

TMUX = shutil.which("tmux")


class Terminal:
    """`tmux new-session -d -x W -y H` running `command`; the exit code lands in a file."""

    def __init__(
        self, folder: Path, command: list[str], env: dict[str, str], size: tuple[int, int]
    ) -> None:
        assert TMUX is not None, "tmux is not installed"
        self.socket = f"evcards-test-{folder.name}-{time.monotonic_ns()}"
        self.rc = folder / f"rc-{self.socket}"
        setting = [f"{k}={v}" for k, v in env.items()]
        line = shlex.join(["env", *setting, *command])
        shell = f"{line}; echo $? > {shlex.quote(str(self.rc))}; sleep 30"
        width, height = size
        self._tmux("new-session", "-d", "-x", str(width), "-y", str(height), "-s", "t", shell)

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            [str(TMUX), "-L", self.socket, *args], capture_output=True, text=True, timeout=20
        )
        return done.stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "t")

    def keys(self, *keys: str, literal: bool = False) -> None:
        self._tmux("send-keys", "-t", "t", *(["-l"] if literal else []), *keys)

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        """The screen once it shows `text`; an AssertionError with the screen if it never does."""
        end = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if text in shown:
                return shown
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} never appeared; the screen:\n{shown}")
            time.sleep(0.01)

    def wait_gone(self, text: str, timeout: float = 60.0) -> str:
        """The screen once `text` is no longer on it (a form closed)."""
        end = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if text not in shown:
                return shown
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} never went; the screen:\n{shown}")
            time.sleep(0.01)

    def exit_code(self, timeout: float = 60.0) -> int:
        end = time.monotonic() + timeout
        while not self.rc.exists() or not self.rc.read_text().strip():
            if time.monotonic() > end:
                raise AssertionError(f"the command never ended; the screen:\n{self.screen()}")
            time.sleep(0.02)
        return int(self.rc.read_text())

    def close(self) -> None:
        self._tmux("kill-server")
