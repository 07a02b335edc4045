"""Atomic file writes: a reader or a crash sees the old file or the new one, never half."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def atomic_write(path: Path, data: bytes | str, *, overwrite: bool = True) -> None:
    """Write `data` to `path` through a temp file in the same folder and `os.replace`.

    With overwrite=False an existing `path` is left alone and FileExistsError raised; the
    final step is then a hard link, which fails rather than replaces.
    """
    with atomic_stream(path, overwrite=overwrite) as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)


@contextmanager
def atomic_stream(path: Path, *, overwrite: bool = True) -> Iterator[IO[bytes]]:
    """`atomic_write` for data written a piece at a time: a binary file to write to, which
    becomes `path` when the block ends, and is removed if it raises (Ctrl-C included)."""
    import tempfile  # here, not above: every search imports this module and writes nothing

    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=folder)
    try:
        # mkstemp makes the file 0600; the result should get the mode any other program would
        # give it (an exported speech doc is meant to be shared), or keep the mode it had.
        if hasattr(os, "fchmod"):  # POSIX; Windows has no such modes to fix
            os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
            os.unlink(tmp)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _mode_for(path: Path) -> int:
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        pass
    umask = os.umask(0o022)  # the only way to read the umask is to set it
    os.umask(umask)
    return 0o666 & ~umask
