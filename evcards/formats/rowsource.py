"""A dataset file opened as a stream of bytes: plain, gzip or Zstandard, never read whole.

`Source` counts the bytes it has taken from the file on disk (compressed bytes, for a
compressed file), which is what a progress bar's ETA needs: the size on disk is all that is
known in advance. How a file is compressed is read from its first bytes, not its name, so a
`.csv` that is really gzip still reads. zstandard loads only for a `.zst` file.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any

from evcards.errors import InputFileError

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
CHUNK = 1024 * 1024  # what one read from the disk (or the decompressor) takes


class _Counted(io.RawIOBase):
    """A file that counts the bytes read from it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self.count += n or 0
        return n or 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        return data

    def close(self) -> None:
        self.raw.close()
        super().close()


class _Read1(io.RawIOBase):
    """A decompressing file read by `read1`: one read of the data below at a time. Its own
    `read(n)` would go on to fill n bytes, and a file cut short would then lose the last
    megabyte before it to the EOFError."""

    def __init__(self, f: Any) -> None:
        self.f = f

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.f.read1(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.f.close()
        super().close()


class Source:
    """One dataset file's bytes, decompressed; `consumed` bytes of the file taken so far."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            raw = open(path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as e:
            raise InputFileError(f"{path}: cannot be read ({e.strerror})") from None
        head = raw.read(4)
        raw.seek(0)
        self.counted = _Counted(raw)
        self.compression = _compression(head)
        self.stream: IO[bytes] = self._open(self.counted)

    def _open(self, counted: _Counted) -> IO[bytes]:
        if self.compression == "gzip":
            import gzip

            gz = gzip.GzipFile(fileobj=counted, mode="rb")  # type: ignore[arg-type]
            return io.BufferedReader(_Read1(gz), CHUNK)
        if self.compression == "zstd":
            try:
                import zstandard
            except ImportError:  # pragma: no cover - a dependency; only if removed
                raise InputFileError(
                    f"{self.path}: compressed with Zstandard, which needs the zstandard package"
                    " (`pip install zstandard`)"
                ) from None
            reader = zstandard.ZstdDecompressor().stream_reader(counted, read_size=CHUNK)  # type: ignore[arg-type]
            return io.BufferedReader(_Read1(reader), CHUNK)
        return io.BufferedReader(counted, CHUNK)

    @property
    def consumed(self) -> int:
        return self.counted.count

    def close(self) -> None:
        self.stream.close()
        self.counted.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _compression(head: bytes) -> str:
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    return ""


def peek(stream: IO[bytes], size: int) -> bytes:
    """Up to `size` bytes from the start of a buffered stream, left in it to be read."""
    if isinstance(stream, io.BufferedReader):
        data = stream.peek(size)
        while len(data) < size:
            more = stream.peek(size)
            if len(more) <= len(data):
                break
            data = more
        return data[:size]
    raise TypeError("peek needs a BufferedReader")  # pragma: no cover


def decompress_error(path: Path, e: Exception) -> InputFileError:
    """A compressed file that is broken (truncated, corrupt) as one error naming it."""
    return InputFileError(f"{path}: the compressed data is broken ({e}); download it again")
