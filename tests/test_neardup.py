"""Near-duplicate fingerprints and their index (crawler/export/neardup.py).

How well it separates copies from other articles is measured on the fixtures
by benchmarks/neardup.py (results in benchmarks/NEARDUP.md); these tests pin
the properties that measurement and any persistent store rely on.
"""

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.export.neardup import (
    BITS,
    DEFAULT_MAX_DISTANCE,
    NearDuplicateIndex,
    distance,
    fingerprint,
    minhash,
    shingles,
    words,
)
from crawler.persian.text import ZWNJ

ROOT = Path(__file__).resolve().parent.parent
BODY = json.loads((ROOT / "tests/fixtures/etemadonline.com/523995.json").read_text("utf-8"))["expected"]["body"]
SAMPLE = "به گزارش خبرگزاری ایسنا، وزیر نیرو امروز گفت: مصرف برق در تابستان ۱۴۰۳ به ۷۹ هزار مگاوات رسید.\n\nوی افزود: نیروگاه‌های تازه تا پایان سال به شبکه می‌پیوندند."
# Stored fingerprints are only comparable with new ones while this holds: a
# change of tokens, shingles or hashing must come with a re-fingerprinting.
SAMPLE_FINGERPRINT = 0xE4AF279C6BFBC6CA
fingerprints = st.integers(min_value=0, max_value=2**BITS - 1)


# ---- the fingerprint ----

def test_pinned_value():
    assert fingerprint(SAMPLE) == SAMPLE_FINGERPRINT


def test_stable_across_processes():
    # Sets of shingles iterate in an order that changes with PYTHONHASHSEED: the fingerprint must not.
    code = "import sys; from crawler.export.neardup import fingerprint; print(fingerprint(sys.stdin.read()))"
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", code], input=BODY, capture_output=True, text=True, cwd=ROOT, env=env, check=True)
        assert int(run.stdout) == fingerprint(BODY)


def test_identical_text_distance_zero():
    assert distance(fingerprint(BODY), fingerprint(BODY)) == 0


def test_what_copies_spell_differently_changes_nothing():
    spellings = [
        BODY.replace("ی", "ي").replace("ک", "ك"),  # Arabic yeh and kaf
        BODY.replace(ZWNJ, ""),  # ZWNJs lost
        BODY.replace("\n\n", " "),  # paragraph breaks lost
        BODY.replace("\n\n", "\n"),
        "به گزارش پایگاه خبری صدای شهر به نقل از ایرنا، " + BODY,  # an agency's attribution
        BODY.replace("،", ",").replace(":", " : "),  # punctuation
    ]
    for text in spellings:
        assert fingerprint(text) == fingerprint(BODY)


def test_words_fold_clitics_zwnj_diacritics_and_digits():
    assert words("می‌رود") == words("میرود") == words("می رود") == ["میرود"]
    assert words("کتاب‌ها") == words("کتاب ها") == words("كتابها") == ["کتابها"]
    assert words("رفته‌اند، حتماً") == words("رفته اند حتما") == ["رفتهاند", "حتما"]
    assert words("سال ۱۴۰۳ و 1403") == ["سال", "1403", "و", "1403"]
    assert words("به گزارش «ورزش سه»، استقلال برد.") == ["استقلال", "برد"]
    assert words("Iran's NEWS") == ["iran", "s", "news"]


def test_shingles():
    assert shingles("الف ب\n\nج د") == {"الف ب ج", "ب ج د"}  # across the paragraph break
    assert shingles("الف ب") == {"الف ب"}
    assert shingles(" .، ") == set()


def test_a_text_without_words_gives_zero():
    assert fingerprint("") == fingerprint("« » ...") == minhash([]) == 0


def test_light_edits_stay_close():
    paragraphs = BODY.split("\n\n")
    one_word = BODY.replace("شهردار رشت", "شهردار شهر رشت", 1)
    paragraph_dropped = "\n\n".join(paragraphs[:3] + paragraphs[4:])
    with_end_mark = BODY + "\n\nانتهای پیام/"
    for copy in (one_word, paragraph_dropped, with_end_mark):
        assert copy != BODY
        assert distance(fingerprint(copy), fingerprint(BODY)) <= DEFAULT_MAX_DISTANCE


def test_unrelated_texts_are_far_apart():
    rng = random.Random(7)
    vocabulary = sorted(shingles(BODY, 1))
    found = []
    for _ in range(100):
        first, second = (" ".join(rng.choices(vocabulary, k=150)) for _ in range(2))
        found.append(distance(fingerprint(first), fingerprint(second)))
    assert 28 <= sum(found) / len(found) <= 36  # each bit a coin toss
    assert min(found) > 3 * DEFAULT_MAX_DISTANCE


def test_distance_tracks_jaccard_similarity():
    # One-bit MinHash: a bit differs with probability (1 - J) / 2.
    rng = random.Random(11)
    for shared, own, expected in ((100, 50, 16), (180, 10, 3.2), (0, 100, 32)):
        found = []
        for _ in range(200):
            common = {str(rng.random()) for _ in range(shared)}
            a = common | {str(rng.random()) for _ in range(own)}
            b = common | {str(rng.random()) for _ in range(own)}
            found.append(distance(minhash(a), minhash(b)))
        assert abs(sum(found) / len(found) - expected) < 1.5


@given(st.sets(st.text(min_size=1, max_size=8), max_size=80), st.randoms(use_true_random=False))
def test_minhash_ignores_feature_order_and_repeats(features, rng):
    shuffled = list(features) * 2
    rng.shuffle(shuffled)
    assert minhash(shuffled) == minhash(features)
    assert 0 <= minhash(features) < 2**BITS


# ---- the index ----

def flips(max_count: int):
    return st.sets(st.integers(min_value=0, max_value=BITS - 1), max_size=max_count).map(lambda bits: sum(1 << b for b in bits))


@given(fingerprints, fingerprints)
def test_distance_is_a_metric(a, b):
    assert distance(a, b) == distance(b, a) == bin(a ^ b).count("1")
    assert (distance(a, b) == 0) == (a == b)


@given(st.integers(min_value=0, max_value=12), fingerprints)
def test_bands_cover_the_bits_once(k, fp):
    index = NearDuplicateIndex(k)
    bands = index.bands(fp)
    count = (k + 2) // 2
    assert [number for number, _ in bands] == list(range(count))
    widths = [BITS // count + (i < BITS % count) for i in range(count)]
    rebuilt, offset = 0, 0
    for (_, value), width in zip(bands, widths):
        assert 0 <= value < 1 << width
        rebuilt |= value << offset
        offset += width
    assert rebuilt == fp


@given(st.integers(min_value=0, max_value=8), fingerprints, st.data())
def test_within_max_distance_one_is_stored_where_the_other_probes(k, fp, data):
    # The pigeonhole guarantee a SQL or Redis store relies on when it indexes bands() and looks up probes().
    near = fp ^ data.draw(flips(k))
    index = NearDuplicateIndex(k)
    assert set(index.bands(fp)) & set(index.probes(near))
    index.add("stored", fp)
    assert index.find(near) == "stored"


def test_probes_are_few_and_land_on_few_of_a_million():
    index = NearDuplicateIndex()  # max_distance 5: 3 bands of 22, 21, 21 bits, radius 1
    fp = 0x0123456789ABCDEF
    probes = index.probes(fp)
    assert len(probes) == len(set(probes)) == 3 + 22 + 21 + 21
    assert set(index.bands(fp)) <= set(probes)
    # Unrelated fingerprints met by a lookup, per million stored: the cost of a lookup late in a long crawl.
    assert sum(1_000_000 / 2 ** (22 if number == 0 else 21) for number, _ in probes) < 40


@given(st.integers(min_value=0, max_value=8), st.lists(fingerprints, max_size=30), st.data())
def test_find_agrees_with_brute_force(k, stored, data):
    # Queries near a stored fingerprint, or anywhere: the first-added one within k, else None.
    query = data.draw(st.one_of(fingerprints, st.sampled_from(stored or [0]).flatmap(lambda fp: flips(k + 3).map(fp.__xor__))))
    index = NearDuplicateIndex(k)
    for position, fp in enumerate(stored):
        index.add(f"key{position}", fp)
    expected = next((f"key{p}" for p, fp in enumerate(stored) if distance(fp, query) <= k), None)
    assert index.find(query) == expected
    assert len(index) == len(stored)


@given(fingerprints, flips(DEFAULT_MAX_DISTANCE))
def test_the_first_added_near_duplicate_wins(fp, mask):
    index = NearDuplicateIndex()
    index.add("first", fp ^ mask)
    index.add("second", fp)  # nearer, but added later
    assert index.find(fp) == "first"


@given(fingerprints)
def test_far_fingerprints_are_not_found(fp):
    far = fp ^ ((1 << (DEFAULT_MAX_DISTANCE + 1)) - 1)
    index = NearDuplicateIndex()
    index.add("stored", fp)
    assert index.find(far) is None


def test_bad_arguments():
    for k in (-1, BITS):
        with pytest.raises(ValueError):
            NearDuplicateIndex(k)
    for fp in (-1, 2**BITS):
        with pytest.raises(ValueError):
            NearDuplicateIndex().bands(fp)
        with pytest.raises(ValueError):
            NearDuplicateIndex().add("key", fp)
    assert NearDuplicateIndex().find(0) is None
