"""Near-duplicates ("cuts"): cards that re-cut one article, found by hashed sentences.

Debaters re-cut each other's cards: the same article trimmed at other sentences, highlighted
or underlined otherwise, now and then a word fixed. debate.cards grouped such cards by
hashing their normalised sentences into buckets; this is that method, kept small. A card's
**keys** are 63-bit hashes of its pairs of neighbouring sentences (lower-cased, whitespace
normalised, at least `MIN_WORDS` words: a short sentence such as "No." or a heading is too
common to say two cards are one): those the content picks (hash divisible by `SAMPLE`), at
most `KEYS` of them, and the `LEAST` smallest whatever they are. Pairs, not single sentences: a
famous quote that many unrelated articles hold would join them all, where the quote with the
sentence before it belongs to one article. Two cards that share a key are cuts of one article, and a
group is what sharing keys joins (union-find, `groups`).

Why hashes the content picks: a cut that is a trim of another holds a run of its pairs, and a
pair picked in one card is picked in every card that holds it (the choice depends on the pair
alone, not on the rest of the card), so a trim that keeps a picked pair of the original keeps
a key in common, however the two were trimmed (unless the original has over `KEYS` picked
pairs: then its smallest are kept). A short trim may hold no picked pair; the `LEAST` smallest
hashes of each card catch most of those (a smallest hash of the original that the trim keeps
is among the trim's smallest too).
Highlighting and underlining do not change the text, so they never change the keys; a fixed
word changes only its own sentence's hash. A card with no sentence long enough keys on its
whole normalised text, which still joins exact copies.

Pure functions, no I/O: evcards.index.cuts stores the keys and groups a catalog.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

try:  # hashlib's own blake2b, without hashlib loading OpenSSL (3-4 ms of every `search`)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

KEYS = 8  # picked keys kept per card at most: few and small, so a million cards' stay cheap
SAMPLE = 4  # a pair is picked when its hash is divisible by this: a quarter of them
LEAST = 4  # the smallest hashes every card keys on besides (recall 0.981 with 2, 0.998 with 4)
MIN_WORDS = 6  # words a sentence needs to be a key

_MASK = (1 << 63) - 1  # SQLite's INTEGER is signed 64-bit: keep hashes positive


def sentences(text: str) -> list[str]:
    """The text's sentences, normalised (lower case, runs of whitespace as one space, a
    sentence ending at ". ", "? " or "! " or a pilcrow), those of fewer than `MIN_WORDS`
    words left out. String methods only, no regex: this runs once per card of a collection
    build, and a regex pass over the body cost several times as much."""
    flat = " ".join(text.lower().replace("\u00b6", ". ").split()).rstrip(".!? ")
    flat = flat.replace("? ", ". ").replace("! ", ". ")
    least = MIN_WORDS - 1
    return [p for p in flat.split(". ") if p.count(" ") >= least]


def _hash(s: str) -> int:
    return int.from_bytes(blake2b(s.encode(), digest_size=8).digest(), "little") & _MASK


def pair_hashes(text: str) -> set[int]:
    """The hashes of the text's pairs of neighbouring sentences (of its one sentence, if it
    has one): what a card's keys are chosen from."""
    said = sentences(text)
    if len(said) == 1:
        return {_hash(said[0])}
    # A pair of neighbours: a quote two articles share is not a pair both hold.
    return {_hash(f"{a}|{b}") for a, b in zip(said, said[1:], strict=False)}


def keys_of(text: str, keep: int = KEYS) -> list[int]:
    """A card's keys, ascending: of the hashes of its pairs of neighbouring sentences (of its
    one sentence, if it has one), the smallest `keep` of those divisible by `SAMPLE` and the
    `LEAST` smallest; the hash of its whole normalised text when it has no sentence long
    enough; none when it has no words."""
    hashes = pair_hashes(text)
    if not hashes:
        whole = " ".join(text.lower().split())
        return [_hash(whole)] if whole else []
    ordered = sorted(hashes)
    picked = [h for h in ordered if h % SAMPLE == 0][:keep]
    return sorted({*picked, *ordered[:LEAST]})


class UnionFind:
    """Disjoint sets over 0..n-1 in one list (path halving, union by smaller root)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if ra < rb:
                self.parent[rb] = ra
            else:
                self.parent[ra] = rb


def groups(keys: Sequence[Iterable[int]]) -> list[int]:
    """Each card's group (the smallest index of the cards it is joined to) given each card's
    keys: the reference the on-disk grouping (evcards.index.cuts) must agree with."""
    uf = UnionFind(len(keys))
    first: dict[int, int] = {}
    for i, ks in enumerate(keys):
        for k in ks:
            j = first.setdefault(k, i)
            if j != i:
                uf.union(i, j)
    return [uf.find(i) for i in range(len(keys))]


def pair_scores(truth: Sequence[object], found: Sequence[object]) -> tuple[float, float]:
    """Pairwise (precision, recall) of `found` groups against `truth` groups (one label per
    card each): of the pairs of cards put together, the share truly together, and of the
    pairs truly together, the share put together. 1.0 where there are no pairs to count."""
    if len(truth) != len(found):
        raise ValueError("truth and found label different numbers of cards")
    both: dict[tuple[object, object], int] = {}
    sizes_t: dict[object, int] = {}
    sizes_f: dict[object, int] = {}
    for t, f in zip(truth, found, strict=True):
        both[t, f] = both.get((t, f), 0) + 1
        sizes_t[t] = sizes_t.get(t, 0) + 1
        sizes_f[f] = sizes_f.get(f, 0) + 1

    def pairs(counts: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in counts)

    right = pairs(both.values())
    said, true = pairs(sizes_f.values()), pairs(sizes_t.values())
    return (right / said if said else 1.0, right / true if true else 1.0)
