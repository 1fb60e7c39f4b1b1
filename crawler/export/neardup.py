"""Near-duplicate article bodies: a 64-bit locality-sensitive fingerprint and
an index of fingerprints.

Agencies' copy is republished by many sites with their own boilerplate and
light edits. `fingerprint` maps a body to 64 bits so that such copies land a
few bits apart and different articles about 32 apart; `NearDuplicateIndex`
finds a stored fingerprint within `max_distance` bits. The numbers behind
the choices below are in benchmarks/NEARDUP.md (`python -m benchmarks.neardup`).

Words are compared the way copies disagree least:
- the contract's normalization (`fold_for_comparison`: Arabic yeh/kaf,
  invisible characters, white space), then ZWNJs deleted rather than read as
  spaces, and the clitics that sites write joined, after a ZWNJ or after a
  space (می رود, کتاب ها, رفته اند) glued to their word: so میرود, می‌رود and
  می رود are one token, and a copy that lost its ZWNJs has the same words;
- Arabic diacritics (tanwin, shadda, ...) and tatweel dropped, digits made
  ASCII, punctuation ignored (word tokens only), Latin lower-cased;
- the attribution that opens a paragraph ("به گزارش خبرگزاری X،", "به نقل از
  Y،") skipped: it is what each republisher rewrites;
- digit tokens kept: daily templated reports (prices, weather, statistics)
  differ mostly in their numbers and are not copies of each other.
Features are the set of 3-word shingles of the body's words read straight
through, paragraph breaks ignored (sites split paragraphs differently).

The fingerprint is a one-bit, one-permutation MinHash (b-bit minwise hashing,
b=1, with densification), not a SimHash: each bit agrees between two texts
with probability (1 + J) / 2, J the Jaccard similarity of their shingle sets,
so the expected distance is 32 (1 - J), where SimHash's grows with the angle
between them, about the square root of the share of words changed: a copy
with a tenth more text is ~3 bits away here and ~6 with SimHash, one with a
tenth of its shingles replaced ~6 and ~9, while unrelated texts are ~32
apart with either. Each shingle is hashed once with blake2b (stable across
processes, unlike `hash`): the hash's low 6 bits pick one of 64 bins, the
next 58 rank the shingle within its bin, and bit i of the fingerprint is bit
i of the upper 64 bits of the hash of bin i's lowest-ranked shingle. An
empty bin (a text of fewer shingles than bins leaves some) borrows from the
first non-empty bin of its own fixed pseudo-random order of the others.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from itertools import combinations
from typing import Any

from crawler.persian.text import ZWNJ, fold_for_comparison, to_ascii_digits

BITS = 64
SHINGLE_SIZE = 3
DEFAULT_MAX_DISTANCE = 5  # measured: benchmarks/NEARDUP.md

MASK = (1 << BITS) - 1
_BIN_BITS = BITS.bit_length() - 1  # 64 bins, one per bit
_BIN_MASK = BITS - 1
_RANK_MASK = (1 << BITS - _BIN_BITS) - 1
_HASH_BYTES = 2 * BITS // 8  # 128 bits: the low 64 pick bin and rank, the high 64 the bits
_HASH_BITS = 8 * _HASH_BYTES
_NONE = 1 << _HASH_BITS + BITS  # above every key: an empty bin
_WORD = re.compile(r"\w+")
_LINE = re.compile(r"\n+")
_ATTRIBUTION = re.compile(r"^\s*(?:(?:به گزارش|به نقل از)[^،,\n]{0,80}[،,]\s*)+")
# Arabic combining marks (harakat, tanwin, shadda, superscript alef) and tatweel.
# (Deleted by a regex: str.translate costs ~100 ns a character, marks are rare.)
_MARKS = re.compile("[" + "".join(chr(cp) for cp in range(0x0600, 0x0700) if unicodedata.category(chr(cp)) == "Mn") + "\u0640]+")
# Written after a space by some sites, joined or after a ZWNJ by others.
_PREFIXES = frozenset({"می", "نمی"})
_SUFFIXES = frozenset({"ها", "های", "هایی", "ای", "ی", "ام", "ات", "اش", "ایم", "اید", "اند", "تر", "ترین"})
# For each bin, the other bins in a fixed pseudo-random order: where it borrows when empty.
_BORROW = [
    sorted((j for j in range(BITS) if j != i), key=lambda j, i=i: hashlib.blake2b(bytes((i, j))).digest())
    for i in range(BITS)
]


def words(paragraph: str) -> list[str]:
    """The comparison tokens of one paragraph (see the module docstring)."""
    text = _ATTRIBUTION.sub("", fold_for_comparison(paragraph.replace(ZWNJ, "")))
    tokens: list[str] = []
    for token in _WORD.findall(to_ascii_digits(_MARKS.sub("", text)).lower()):
        if tokens and (token in _SUFFIXES or tokens[-1] in _PREFIXES):
            tokens[-1] += token
        else:
            tokens.append(token)
    return tokens


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    """The features of a text: every run of `size` consecutive words (all of
    them when there are fewer), across paragraph breaks."""
    tokens = [token for paragraph in _LINE.split(text) for token in words(paragraph)]
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return set(map(" ".join, zip(*(tokens[i:] for i in range(size)))))


def minhash(features: Iterable[str]) -> int:
    """One-bit one-permutation MinHash of a set of features; no features give 0."""
    # Per bin, the lowest-ranked feature's rank << 128 | hash: ordered by rank,
    # then by hash (ties broken so: set order varies by process), in one int.
    lowest = [_NONE] * BITS
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes
    for feature in features:
        h = from_bytes(blake2b(feature.encode("utf-8"), digest_size=_HASH_BYTES).digest(), "little")
        key = (h >> _BIN_BITS & _RANK_MASK) << _HASH_BITS | h
        if key < lowest[h & _BIN_MASK]:
            lowest[h & _BIN_MASK] = key
    if all(key is _NONE for key in lowest):
        return 0
    fp = 0
    for i, key in enumerate(lowest):
        if key is _NONE:
            key = next(lowest[j] for j in _BORROW[i] if lowest[j] is not _NONE)
        fp |= (key >> BITS + i & 1) << i
    return fp


def fingerprint(text: str) -> int:
    """The 64-bit fingerprint of an article body; the same in every process and run.
    A text without words gives 0: index only real bodies."""
    return minhash(shingles(text))


def distance(a: int, b: int) -> int:
    """Hamming distance: the number of bits in which two fingerprints differ."""
    return (a ^ b).bit_count()


def first_within(fp: int, candidates: Iterable[tuple[Any, int]], max_distance: int = DEFAULT_MAX_DISTANCE) -> Any:
    """The key of the first (key, fingerprint) candidate within max_distance
    bits of fp, or None: the index lookup, whichever store holds the candidates
    (in the order they were first seen)."""
    return next((key for key, other in candidates if distance(fp, other) <= max_distance), None)


class NearDuplicateIndex:
    """Fingerprints by key, searched for one within `max_distance` bits.

    Pigeonhole, with a probe radius (multi-index hashing): the 64 bits are cut
    into `(max_distance + 2) // 2` blocks ("bands", 3 of 21-22 bits at 5), so
    two fingerprints at most max_distance apart differ in at most
    `max_distance // bands` bits (1 at 5) of at least one band. Each
    fingerprint is stored under its band values; a lookup probes, per band,
    its own value and every value within that radius (1 + 22 at 5), takes the
    entries stored under them and checks their distance: nothing within
    max_distance is missed. A persistent store keeps the rows (key,
    fingerprint) and (band number, band value) -> key, indexed on the pair,
    and is built and queried with one max_distance: the bands depend on it.
    Fingerprints are unsigned: a signed 64-bit column (SQLite INTEGER,
    BIGINT) needs fp - 2**64 for those at or above 2**63.

    A lookup meets about probes * n / 2**(64 / bands) of n stored unrelated
    fingerprints: ~30 per million at 5 (~70 probes), where cutting the bits
    into max_distance + 1 bands probed exactly (no radius) met ~3,900: a
    cost that grew with the crawl's whole history (benchmarks/RESULTS.md,
    "Near-duplicate lookups").
    """

    # Stores record it, and rebuild an index laid out otherwise from its fingerprints
    # (1: max_distance + 1 bands, probed exactly).
    LAYOUT = 2

    def __init__(self, max_distance: int = DEFAULT_MAX_DISTANCE) -> None:
        if not 0 <= max_distance < BITS:
            raise ValueError(f"max_distance must be in 0..{BITS - 1}, not {max_distance}")
        self.max_distance = max_distance
        count = (max_distance + 2) // 2
        self.radius = max_distance // count
        widths = [BITS // count + (i < BITS % count) for i in range(count)]
        self._bands = [(sum(widths[:i]), (1 << width) - 1) for i, width in enumerate(widths)]  # (offset, mask)
        # Per band, the masks of every change within the radius (0 first: the value itself).
        self._changes = [
            [sum(1 << bit for bit in bits) for r in range(self.radius + 1) for bits in combinations(range(width), r)]
            for width in widths
        ]
        self._entries: list[tuple[str, int]] = []  # in the order added
        self._buckets: dict[tuple[int, int], list[int]] = {}  # band -> positions in _entries

    def bands(self, fp: int) -> list[tuple[int, int]]:
        """(band number, band value) for each band, lowest bits first: where fp is stored."""
        if not 0 <= fp <= MASK:
            raise ValueError(f"not a {BITS}-bit fingerprint: {fp!r}")
        return [(number, fp >> offset & mask) for number, (offset, mask) in enumerate(self._bands)]

    def probes(self, fp: int) -> list[tuple[int, int]]:
        """(band number, band value) of every place a fingerprint within
        max_distance of fp may be stored."""
        return [(number, value ^ change) for number, value in self.bands(fp) for change in self._changes[number]]

    def add(self, key: str, fp: int) -> None:
        position = len(self._entries)
        for band in self.bands(fp):
            self._buckets.setdefault(band, []).append(position)
        self._entries.append((key, fp))

    def find(self, fp: int) -> str | None:
        """The key of the first-added fingerprint within max_distance of fp, or None."""
        candidates = {position for band in self.probes(fp) for position in self._buckets.get(band, ())}
        return first_within(fp, (self._entries[position] for position in sorted(candidates)), self.max_distance)

    def __len__(self) -> int:
        return len(self._entries)
