"""Collections: read-only corpora (OpenDebateEvidence, DebateSum) evcards indexes and
searches beside the library, without a TOML file per card.

A collection lives in `config.data_dir()/collections/NAME/` (`places`), one folder per build
(`b-<pid>-<ns>/`) and a `current` file naming the one in use, written atomically when a build
is done (`building`): a killed build leaves the previous collection as it was. A build's
folder is laid out as a library's index state (`index/schema`'s catalog `index.sqlite`, the
tantivy `fulltext-*` folder), so `index.search.search_db` reads it unchanged, plus a `rows`
table (`store`) holding each card's TOML text compressed and the dataset's facts about its
round. `feed` makes the rows ready in a producer process while the build writes them.
`manage` lists, removes and updates collections, `cards` reads one card by id (`find_card`:
what `show` and `take` use, and what `export`, `speech add` and the TUI are to use), `taking`
copies cards into the library, and `searching` searches the library and the collections as
one ranked list.
"""
