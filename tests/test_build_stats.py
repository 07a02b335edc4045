"""A rebuild's stat of every card file, held as columns (index.build.Stats), against a list
of CardStats made as the plain rule says."""

from __future__ import annotations

import os

from evcards.index.build import CardStat, _stat_all
from evcards.store import walk


def test_the_columns_give_the_files_oldest_first_as_card_stats(tmp_path) -> None:
    root = tmp_path / "lib"
    (root / "a" / "b").mkdir(parents=True)
    (root / ".evcards.toml").write_text("version = 1\n")
    made = []
    for i, rel in enumerate(["z.toml", "a/y.toml", "a/b/x.toml", "m.toml", "a/b/w.toml"]):
        path = root / rel
        path.write_text("x" * (i + 1))
        # two pairs share an mtime: then by path
        os.utime(path, ns=(10**18, 10**18 + [3, 1, 1, 2, 2][i]))
        made.append(rel)
    folders = list(walk.folders(root))
    expected = []
    for folder in folders:
        for name in folder.files:
            rel = f"{folder.rel}/{name}" if folder.rel else name
            st = os.lstat(os.path.join(folder.path, name))
            expected.append(CardStat(rel, folder.rel, st.st_mtime_ns, st.st_size))
    expected.sort(key=lambda f: (f.mtime_ns, f.rel))
    stats = _stat_all(folders)
    assert sorted(made) == sorted(f.rel for f in expected)
    assert list(stats) == expected
    assert [stats[i] for i in range(len(stats))] == expected
    assert stats[1:4] == expected[1:4] and stats[-1] == expected[-1]
    assert [f.rel for f in expected] == ["a/b/x.toml", "a/y.toml", "a/b/w.toml", "m.toml", "z.toml"]
