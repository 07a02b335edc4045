"""Atomic file writes: a reader or a crash sees the old file or the new one, never half."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes | str, *, overwrite: bool = True) -> None:
    """Write `data` to `path` through a temp file in the same folder and `os.replace`.

    With overwrite=False an existing `path` is left alone and FileExistsError raised; the
    final step is then a hard link, which fails rather than replaces.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
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
