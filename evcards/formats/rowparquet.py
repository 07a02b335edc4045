"""Parquet dataset files, read a batch of rows at a time through pyarrow (an extra:
`pip install 'evcards[parquet]'`), which loads only here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from evcards.errors import InputFileError

BATCH_ROWS = 2048

INSTALL = "pip install 'evcards[parquet]'"


def parquet_records(path: Path, progress: list[Callable[[], int]]) -> Iterator[tuple[int, Any]]:
    """(row, dict of its columns) from 1; `progress` gets the bytes read, counted by rows
    read of the file's rows (parquet reads by column, so there is no offset to report)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputFileError(
            f"{path}: a parquet file, which needs pyarrow; install it with `{INSTALL}`"
        ) from None
    try:
        parquet = pq.ParquetFile(path)
    except Exception as e:  # pyarrow.ArrowInvalid and kin
        raise InputFileError(f"{path}: not a readable parquet file ({e})") from None
    size = path.stat().st_size
    total = max(parquet.metadata.num_rows, 1)
    done = 0
    progress.append(lambda: size * done // total)
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        for row in batch.to_pylist():
            done += 1
            yield done, row
