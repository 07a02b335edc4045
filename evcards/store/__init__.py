"""The library on disk: card files, atomic writes, the write journal."""
