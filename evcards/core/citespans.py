"""The bookkeeping that lets the cite parser prove it lost nothing: labelled spans over the
input that never overlap, and the segments (comma-, bracket-, dash- or sentence-separated
pieces) of the text no span has taken yet."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import NamedTuple

# What may lie between spans: whitespace, brackets, quotes, dashes and punctuation.
SEPARATORS = frozenset(",;:.()[]{}<>\"“”„‘’'`–—-/|*•·¶…") | frozenset(
    " \t\n\r\f\v\u00a0\u2002\u2003\u2009\u200b\u3000\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029"
)
_OPENERS = frozenset("([{<")
# Where a segment ends: brackets, commas, semicolons, a colon before a space, a spaced dash
# or a double one, an asterisk, a bar; sentence periods are found by _sentence_ends.
_CUT_ALTERNATIVES = (
    r"[,;()\[\]{}<>|*•¶]|:(?=\s)|\s[-–—]{1,3}(?=\s)|--+|[–—]|\s\.(?=\s)|(?<=[^\W\d_])-(?=\s)"
)
CUT_REFERENCE = re.compile(_CUT_ALTERNATIVES)
# The same, led by the character a cut starts with, taken as a class: re then scans for that
# class in C, where a pattern led by a lookahead is tried at every position. What follows
# tells the alternatives apart by looking back at that character; those that start with the
# same characters keep their order (whitespace: a spaced dash, then a spaced period; '-':
# '--+', then a word's hyphen), so each position matches as it did.
_CUT = re.compile(
    r"[,;()\[\]{}<>|*•¶–—:\s\-]"
    r"(?:(?<=[,;()\[\]{}<>|*•¶–—])|(?<=:)(?=\s)|(?<=\s)[-–—]{1,3}(?=\s)|(?<=-)-+"
    r"|(?<=\s)\.(?=\s)|(?<=[^\W\d_]-)(?=\s))"
)
# Words a period follows without ending a sentence.
_ABBREVIATIONS = frozenset(
    """dr mr ms mrs prof jr sr st mt univ inc co corp ltd vs al vol no nos pp pg rev dept gov
    sen rep gen col lt capt ed eds jan feb mar apr jun jul aug sep sept oct nov dec assn
    intl natl assoc est fig ch sec art""".split()
)


def with_initial_dot(text: str, a: int, b: int) -> int:
    """The end b of text[a:b], past the period of an initial it ends with ('Jeffrey H.')."""
    if a < b < len(text) and text[b] == "." and text[b - 1].isupper():
        if b - 1 == a or not text[b - 2].isalpha():
            return b + 1
    return b


class Segment(NamedTuple):
    start: int
    end: int
    text: str
    opens: bool  # an opening bracket comes right before it


class Spans:
    """Labelled, non-overlapping spans over a text."""

    def __init__(self, text: str) -> None:
        self.text = text
        # 1 where a span has taken the character: what `free` and `segments` read, in C.
        self._taken = bytearray(len(text))
        self._spans: list[tuple[str, int, int]] = []
        self._cut: dict[tuple[int, int], list[Segment]] = {}  # a free stretch's segments
        # The free stretches in order (what `_FREE` finds in `_taken`), kept as spans are
        # taken, so that `segments` need not look for them again.
        self._stretches: list[tuple[int, int]] = [(0, len(text))] if text else []

    def free(self, a: int, b: int) -> bool:
        return a < b and self._taken.find(1, a, b) < 0

    def take(self, label: str, a: int, b: int, trim: bool = True) -> bool:
        """Record text[a:b] (trimmed of separators) under label; False when it is empty or
        overlaps a span already taken."""
        text, n = self.text, len(self.text)
        if a < 0:
            a = 0
        if b > n:
            b = n
        if trim and a < b:
            left = text[a:b].lstrip(_SEPARATOR_CHARS)
            a = b - len(left)
            b = a + len(left.rstrip(_SEPARATOR_CHARS))
            if b < n and text[b] == ".":
                b = with_initial_dot(text, a, b)
        if a >= b or self._taken.find(1, a, b) >= 0:
            return False
        self._spans.append((label, a, b))
        self._taken[a:b] = b"\x01" * (b - a)
        # A free span lies in one stretch, which it cuts in two (either may be empty).
        stretches = self._stretches
        k = bisect_right(stretches, (a, n)) - 1
        s, e = stretches[k]
        if s < a:
            stretches[k] = (s, a)
            if b < e:
                stretches.insert(k + 1, (b, e))
        elif b < e:
            stretches[k] = (b, e)
        else:
            del stretches[k]
        return True

    def next_taken(self, pos: int) -> int:
        """The first taken offset at or after pos (the text's length when there is none)."""
        k = self._taken.find(1, max(0, pos))
        return len(self.text) if k < 0 else k

    def label_at(self, pos: int) -> str | None:
        if 0 <= pos < len(self.text) and self._taken[pos]:
            # Asked a few times a parse, of a dozen spans: looked for rather than kept per
            # character at every take.
            for label, a, b in self._spans:
                if a <= pos < b:
                    return label
        return None

    def value(self, span: tuple[int, int]) -> str:
        return self.text[span[0] : span[1]]

    def of(self, label: str) -> list[str]:
        return [
            self.text[a:b] for lab, a, b in sorted(self._spans, key=lambda s: s[1]) if lab == label
        ]

    def fill_rest(self) -> list[str]:
        """Label every untaken piece that is more than separators `rest`; their texts."""
        for seg in self.segments():
            self.take("rest", seg.start, seg.end)
        text = self.text
        # Anything the segments missed, so that nothing is ever lost: in each free stretch,
        # from its first character that is not a separator to the stretch's end.
        for a, b in list(self._stretches):
            first = _NOT_SEPARATOR.search(text, a, b)
            if first is not None:
                self.take("rest", first.start(), b)
        return [" ".join(t.split()) for t in self.of("rest")]

    def segments(self) -> list[Segment]:
        """The untaken text cut into segments, each trimmed of separators, in order. A free
        stretch's segments are a function of the text and the stretch alone, so each is cut
        once and kept: taking a span changes only the stretches it touches."""
        text, cut = self.text, self._cut
        out: list[Segment] = []
        for key in self._stretches:
            segs = cut.get(key)
            if segs is None:
                segs = cut[key] = []
                _cut_region(text, key[0], key[1], segs)
            out += segs
        return out

    def frozen(self) -> tuple[tuple[str, int, int], ...]:
        return tuple(sorted(self._spans, key=lambda s: s[1]))


def segments(spans: Spans) -> list[Segment]:
    """The untaken text cut into segments, each trimmed of separators, in order."""
    return spans.segments()


class ReferenceSpans(Spans):
    """`Spans` as it was before its fast paths (every stretch found in `_taken` and cut
    again at each call by `_cut_region_reference`, spans trimmed and the rest found
    character by character): what the tests hold `Spans` to."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._owner = [-1] * len(text)  # the index of the span that took each character

    def label_at(self, pos: int) -> str | None:
        if 0 <= pos < len(self.text) and self._owner[pos] >= 0:
            return self._spans[self._owner[pos]][0]
        return None

    def free(self, a: int, b: int) -> bool:
        return a < b and 1 not in self._taken[a:b]

    def take(self, label: str, a: int, b: int, trim: bool = True) -> bool:
        text = self.text
        a, b = max(0, a), min(len(text), b)
        if trim:
            while a < b and text[a] in SEPARATORS:
                a += 1
            while b > a and text[b - 1] in SEPARATORS:
                b -= 1
            b = with_initial_dot(text, a, b)
        if not self.free(a, b):
            return False
        index = len(self._spans)
        self._spans.append((label, a, b))
        self._owner[a:b] = [index] * (b - a)
        self._taken[a:b] = b"\x01" * (b - a)
        return True

    def segments(self) -> list[Segment]:
        text = self.text
        out: list[Segment] = []
        for m in _FREE.finditer(self._taken):
            _cut_region_reference(text, m.start(), m.end(), out)
        return out

    def fill_rest(self) -> list[str]:
        for seg in self.segments():
            self.take("rest", seg.start, seg.end)
        k, n = 0, len(self.text)
        while k < n:
            if self._owner[k] < 0 and self.text[k] not in SEPARATORS:
                j = k
                while j < n and self._owner[j] < 0:
                    j += 1
                self.take("rest", k, j)
                k = j
            k += 1
        return [" ".join(t.split()) for t in self.of("rest")]


_FREE = re.compile(rb"\x00+")
_SEPARATOR_CHARS = "".join(sorted(SEPARATORS))  # for str.strip: the same set, trimmed in C
_NOT_SEPARATOR = re.compile("[^" + re.escape(_SEPARATOR_CHARS) + "]")


def _cut_region(text: str, a: int, b: int, out: list[Segment]) -> None:
    """Cut text[a:b] into segments (appended to out): what `_cut_region_reference` does,
    with the empty pieces between neighbouring cuts (most of them: ', (' is three cuts)
    dropped at one `strip`, the others trimmed by `str.strip` rather than a loop, and the
    sentence ends looked for only where there is a period."""
    if not text[a:b].lstrip(_SEPARATOR_CHARS):
        return  # separators alone (most stretches, between two spans): nothing to cut
    cuts = [m.span() for m in _CUT.finditer(text, a, b)]
    if text.find(".", a, b) >= 0:
        ends = _sentence_ends(text, a, b)
        if ends:
            cuts += [(p, p + 1) for p in ends]
            cuts.sort()
    cuts.append((b, b))
    pos = a
    for c0, c1 in cuts:
        if c0 < pos:
            continue
        if c0 > pos:
            piece = text[pos:c0]
            left = piece.lstrip(_SEPARATOR_CHARS)
            if left:
                s = c0 - len(left)
                e = s + len(left.rstrip(_SEPARATOR_CHARS))
                k = pos - 1
                while k >= 0 and text[k].isspace():
                    k -= 1
                opens = (k >= 0 and text[k] in _OPENERS) or not _OPENERS.isdisjoint(text[pos:s])
                e = with_initial_dot(text, s, e)
                out.append(Segment(s, e, text[s:e], opens))
        pos = c1


def _cut_region_reference(text: str, a: int, b: int, out: list[Segment]) -> None:
    """`_cut_region` as it was: every piece between two cuts trimmed by `_add`."""
    cuts = [(m.start(), m.end()) for m in _CUT.finditer(text, a, b)]
    cuts += [(p, p + 1) for p in _sentence_ends(text, a, b)]
    cuts.sort()
    pos = a
    for c0, c1 in [*cuts, (b, b)]:
        if c0 < pos:
            continue
        _add(text, pos, c0, out)
        pos = c1


def _sentence_ends(text: str, a: int, b: int) -> list[int]:
    ends = []
    for m in _PERIOD.finditer(text, a, b):  # endpos b: as text[a:b] would be searched
        p = m.start()
        word = _LAST_WORD.search(text, max(a, p - 12), p)
        w = word.group(1) if word else ""
        if len(w) == 1 and w.isupper():
            continue  # an initial: 'Toby J. Stern', 'U.S.'
        if w.lower() in _ABBREVIATIONS or _DOTTED.search(text, max(a, p - 3), p):
            continue
        ends.append(p)
    return ends


_PERIOD = re.compile(r"\.(?=\s|$)")
_LAST_WORD = re.compile(r"([^\W\d_]+)\W*$")
_DOTTED = re.compile(r"[A-Z]\.[A-Z]$")


def _add(text: str, a: int, b: int, out: list[Segment]) -> None:
    opens = False
    k = a - 1
    while k >= 0 and text[k].isspace():
        k -= 1
    if k >= 0 and text[k] in _OPENERS:
        opens = True
    while a < b and text[a] in SEPARATORS:
        opens = opens or text[a] in _OPENERS
        a += 1
    while b > a and text[b - 1] in SEPARATORS:
        b -= 1
    b = with_initial_dot(text, a, b)
    if a < b:
        out.append(Segment(a, b, text[a:b], opens))
