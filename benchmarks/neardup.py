"""Near-duplicate detection (crawler/export/neardup.py) on constructed cases.

    python -m benchmarks.neardup

Originals: every article body in the fixtures (tests/fixtures/*/*.json
"expected"."body", drafts included: they are article text all the same; the
same body twice is kept once) and in ../shared/seed/*.expected.json, plus the
hand-written texts below. From each original the script makes copies another
site could publish:

- boilerplate: an agency prefix (replacing the original's own "به گزارش X،"),
  a dateline prefix, an end mark, a related-links block, a source line, the
  agency prefix and the last three together;
- light edits: a sentence dropped, four words changed, the last paragraph moved
  to the top, Arabic yeh and kaf, ZWNJs lost (deleted) or written as spaces,
  paragraph breaks lost;
- a republished copy: all the boilerplate plus a sentence dropped and four
  words changed.

Positive pairs are (original, copy); negative pairs are every two different
originals: hand-written reports of the same event in other words, two days of
one templated price report, and all other pairs ("different articles").
A pair counts as found when a NearDuplicateIndex(k) holding the first text
finds it from the second's fingerprint. Edits are seeded by the original's
name, so a run is reproducible; the counts grow as fixtures are added.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.common import SHARED, arguments, fixture_pages, optional
from benchmarks.harness import interleaved, per_page
from crawler.export.neardup import BITS, DEFAULT_MAX_DISTANCE, SHINGLE_SIZE, NearDuplicateIndex, distance, fingerprint, minhash, shingles
from crawler.persian.text import ZWNJ, normalize_paragraphs

SEED = SHARED / "seed"
DISTANCES = range(9)

# Reports of one event by two outlets in their own words (they share names,
# numbers and, in the third pair, one quoted sentence), and one templated
# daily report on two days: not copies of each other.
SAME_EVENT = {
    "hand/quake-a": """زمین‌لرزه‌ای به بزرگی ۵.۲ ریشتر بامداد امروز (سه‌شنبه) شهرستان سی‌سخت در استان کهگیلویه و بویراحمد را لرزاند. به گفته مرکز لرزه‌نگاری کشوری مؤسسه ژئوفیزیک دانشگاه تهران، این زمین‌لرزه ساعت ۴ و ۱۲ دقیقه در عمق ۱۰ کیلومتری زمین رخ داد.

مدیرکل مدیریت بحران استان گفت: تاکنون گزارشی از خسارت جانی به ما نرسیده است و تیم‌های ارزیاب هلال‌احمر به روستاهای نزدیک کانون زلزله اعزام شده‌اند. وی افزود: چند خانه قدیمی در روستاهای اطراف ترک برداشته و برق در برخی مناطق برای مدتی قطع شد.

این زمین‌لرزه در شهرهای یاسوج، دهدشت و حتی شیراز نیز احساس شد و مردم ساعاتی را در خیابان‌ها گذراندند. کارشناسان احتمال وقوع پس‌لرزه را در روزهای آینده منتفی ندانسته‌اند.""",
    "hand/quake-b": """ساکنان سی‌سخت و یاسوج صبح امروز با لرزش شدید زمین از خواب بیدار شدند. زلزله ۵.۲ ریشتری که ساعت ۴:۱۲ بامداد رخ داد، به گزارش مؤسسه ژئوفیزیک دانشگاه تهران در عمق ۱۰ کیلومتری زمین بوده است.

رئیس جمعیت هلال‌احمر استان کهگیلویه و بویراحمد با اعلام اینکه این حادثه تلفات جانی نداشته است، گفت: هشت تیم امدادی برای ارزیابی خسارت به منطقه رفته‌اند و به چند واحد مسکونی روستایی آسیب جزئی رسیده است.

به گفته شاهدان، لرزش در شیراز هم حس شد. فرماندار دنا نیز از مردم خواست تا اطلاع ثانوی از ورود به ساختمان‌های آسیب‌دیده خودداری کنند.""",
    "hand/smog-a": """با تصمیم کارگروه اضطرار آلودگی هوای استان تهران، همه مدارس و دانشگاه‌های استان فردا (چهارشنبه) تعطیل است. معاون استاندار تهران پس از پایان جلسه کارگروه گفت: با توجه به تداوم پایداری جو و افزایش غلظت ذرات معلق کمتر از ۲.۵ میکرون، آموزش در همه مقاطع به صورت مجازی برگزار می‌شود.

وی افزود: ادارات دولتی با ۵۰ درصد کارکنان فعالیت می‌کنند و محدودیت تردد کامیون‌ها در محدوده شهر تهران همچنان ادامه دارد. بنا بر اعلام شرکت کنترل کیفیت هوا، شاخص کیفیت هوای تهران امروز به ۱۸۰ رسید که برای همه گروه‌ها ناسالم است.

سازمان هواشناسی نیز پیش‌بینی کرده است که تا پایان هفته بارش یا وزش باد قابل توجهی در تهران رخ نمی‌دهد.""",
    "hand/smog-b": """دانش‌آموزان و دانشجویان تهرانی فردا هم سر کلاس نمی‌روند. کارگروه اضطرار آلودگی هوا امروز در جلسه‌ای در استانداری تهران تصمیم گرفت مدارس و دانشگاه‌ها را یک روز دیگر تعطیل کند و کلاس‌ها به شکل مجازی برگزار شود.

شاخص آلودگی هوای پایتخت که صبح امروز به عدد ۱۸۰ رسیده بود، وضعیت ناسالم برای همه شهروندان را نشان می‌دهد. به گفته کارشناسان هواشناسی، پایداری هوا دست‌کم تا آخر هفته ادامه خواهد داشت.

بر اساس این مصوبه، ادارات دولتی با ۵۰ درصد کارکنان فعالیت می‌کنند و کامیون‌ها اجازه ورود به شهر تهران را ندارند. پزشکان به سالمندان، کودکان و بیماران قلبی توصیه کرده‌اند از خانه خارج نشوند.""",
    "hand/talks-a": """سخنگوی وزارت امور خارجه در نشست خبری هفتگی خود به پرسش‌هایی درباره مذاکرات هسته‌ای پاسخ داد. وی گفت: «ما برای رسیدن به توافقی پایدار آماده‌ایم اما این توافق باید منافع ملت ایران را تضمین کند و تحریم‌ها به شکل واقعی و قابل راستی‌آزمایی لغو شوند.»

سخنگوی دستگاه دیپلماسی درباره سفر هیئت اروپایی به تهران نیز گفت که زمان این سفر هنوز قطعی نشده است و رایزنی‌ها ادامه دارد. وی همچنین حمله اخیر به یک کشتی تجاری در دریای سرخ را محکوم کرد و خواستار برقراری امنیت کشتیرانی در منطقه شد.""",
    "hand/talks-b": """موضع تهران درباره گفت‌وگوهای وین تغییری نکرده است. این پیامی بود که سخنگوی وزارت خارجه امروز به خبرنگاران داد: «ما برای رسیدن به توافقی پایدار آماده‌ایم اما این توافق باید منافع ملت ایران را تضمین کند و تحریم‌ها به شکل واقعی و قابل راستی‌آزمایی لغو شوند.»

تحلیلگران سیاست خارجی این سخنان را نشانه‌ای از انعطاف محدود ایران در دور تازه مذاکرات می‌دانند. یک دیپلمات اروپایی که نخواست نامش فاش شود به خبرنگار ما گفت که طرف‌های غربی منتظر پاسخ مکتوب ایران به پیش‌نویس اخیر هستند و هنوز درباره زمان دور بعدی گفت‌وگوها تصمیمی گرفته نشده است.""",
    "hand/match-a": """استقلال در هفته دهم لیگ برتر با یک گل از سد ملوان بندرانزلی گذشت و به صدر جدول بازگشت. تک گل این دیدار را در دقیقه ۶۷ مهاجم استقلال با ضربه سر و از روی کرنر به ثمر رساند.

ملوان در نیمه اول دو موقعیت خوب برای گلزنی داشت اما دروازه‌بان استقلال هر دو را مهار کرد. سرمربی استقلال پس از بازی گفت: بازیکنانم در شرایط سخت و زمین سنگین جنگیدند و این سه امتیاز برای ما بسیار ارزشمند است.

استقلال با این برد ۲۲ امتیازی شد و هفته آینده در ورزشگاه آزادی میزبان سپاهان خواهد بود.""",
    "hand/match-b": """آبی‌پوشان پایتخت در انزلی هم پیروز شدند. در دیداری که زیر باران و روی چمنی سنگین برگزار شد، استقلال با گل دقیقه ۶۷ که از روی یک ضربه کرنر و با ضربه سر وارد دروازه شد، ملوان را یک بر صفر برد.

میزبان در نیمه نخست بهتر بازی کرد و دو بار تا یک قدمی گل پیش رفت ولی واکنش‌های دروازه‌بان استقلال مانع شد. با این پیروزی استقلال ۲۲ امتیاز دارد و دوباره صدرنشین شده است.

هواداران ملوان پس از سوت پایان به داوری اعتراض کردند. استقلال هفته بعد در ورزشگاه آزادی با سپاهان بازی می‌کند.""",
}
TEMPLATED = {
    "hand/gold-day1": """قیمت سکه تمام بهار آزادی طرح جدید امروز (شنبه ۱۲ آبان) در بازار آزاد تهران به ۴۲ میلیون و ۸۰۰ هزار تومان رسید. سکه طرح قدیم ۴۰ میلیون و ۵۰۰ هزار تومان، نیم‌سکه ۲۳ میلیون و ۹۰۰ هزار تومان و ربع‌سکه ۱۴ میلیون و ۲۰۰ هزار تومان معامله شد.

هر گرم طلای ۱۸ عیار نیز ۳ میلیون و ۲۸۰ هزار تومان قیمت خورد. در بازار ارز، دلار آمریکا ۶۰ هزار و ۳۰۰ تومان و یورو ۶۴ هزار و ۹۰۰ تومان فروخته شد.

قیمت هر اونس طلا در بازارهای جهانی نیز ۱۹۸۵ دلار بود.""",
    "hand/gold-day2": """قیمت سکه تمام بهار آزادی طرح جدید امروز (یکشنبه ۱۳ آبان) در بازار آزاد تهران به ۴۳ میلیون و ۱۵۰ هزار تومان رسید. سکه طرح قدیم ۴۰ میلیون و ۹۰۰ هزار تومان، نیم‌سکه ۲۴ میلیون و ۱۰۰ هزار تومان و ربع‌سکه ۱۴ میلیون و ۳۵۰ هزار تومان معامله شد.

هر گرم طلای ۱۸ عیار نیز ۳ میلیون و ۳۱۰ هزار تومان قیمت خورد. در بازار ارز، دلار آمریکا ۶۰ هزار و ۷۰۰ تومان و یورو ۶۵ هزار و ۲۰۰ تومان فروخته شد.

قیمت هر اونس طلا در بازارهای جهانی نیز ۱۹۹۱ دلار بود.""",
}
HAND_PAIRS = {
    ("hand/quake-a", "hand/quake-b"): "same event, other words",
    ("hand/smog-a", "hand/smog-b"): "same event, other words",
    ("hand/talks-a", "hand/talks-b"): "same event, other words",
    ("hand/match-a", "hand/match-b"): "same event, other words",
    ("hand/gold-day1", "hand/gold-day2"): "same template, other numbers",
}

AGENCY_LEAD = re.compile(r"^به گزارش [^،,\n]{1,60}[،,]\s*")
SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")
RELATED = "بیشتر بخوانید:\n\nبازگشایی حضوری مدارس تهران از هفته آینده\n\nقیمت دلار و یورو امروز در بازار آزاد\n\nپیش‌بینی هوای تهران برای آخر هفته"
# Words an editor swaps in; the originals' words are replaced by these.
SUBSTITUTES = ("همچنین", "اکنون", "اظهار", "داشت", "نیز", "بیان", "کرد", "ادامه", "داد", "امسال")


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def add_prefix(text: str, rng: random.Random) -> str:
    return "به گزارش پایگاه خبری صدای شهر به نقل از خبرگزاری ایرنا، " + AGENCY_LEAD.sub("", text)


def add_dateline(text: str, rng: random.Random) -> str:
    return "تهران - ایرنا - " + AGENCY_LEAD.sub("", text)


def add_end_mark(text: str, rng: random.Random) -> str:
    return text + "\n\nانتهای پیام/"


def add_related(text: str, rng: random.Random) -> str:
    return text + "\n\n" + RELATED


def add_source(text: str, rng: random.Random) -> str:
    return text + "\n\nمنبع: خبرگزاری جمهوری اسلامی"


def all_boilerplate(text: str, rng: random.Random) -> str:
    return add_source(add_end_mark(add_related(add_prefix(text, rng), rng), rng), rng)


def drop_sentence(text: str, rng: random.Random) -> str:
    sentences = [(p, s) for p, paragraph in enumerate(paragraphs(text)) for s in SENTENCE_END.split(paragraph)]
    if len(sentences) < 2:
        return text
    del sentences[len(sentences) // 2]
    return "\n\n".join(" ".join(s for q, s in sentences if q == p) for p in dict.fromkeys(p for p, _ in sentences))


def change_words(text: str, rng: random.Random, count: int = 4) -> str:
    tokens = re.split(r"( |\n\n)", text)
    word_positions = [i for i, t in enumerate(tokens) if t.strip()]
    for i in rng.sample(word_positions, min(count, len(word_positions))):
        tokens[i] = rng.choice([w for w in SUBSTITUTES if w != tokens[i]])
    return "".join(tokens)


def move_last_paragraph(text: str, rng: random.Random) -> str:
    found = paragraphs(text)
    return "\n\n".join(found[-1:] + found[:-1])


def arabic_letters(text: str, rng: random.Random) -> str:
    return text.replace("ی", "ي").replace("ک", "ك")


def zwnj_lost(text: str, rng: random.Random) -> str:
    return text.replace(ZWNJ, "")


def zwnj_as_space(text: str, rng: random.Random) -> str:
    return text.replace(ZWNJ, " ")


def one_paragraph(text: str, rng: random.Random) -> str:
    return " ".join(paragraphs(text))


def republished(text: str, rng: random.Random) -> str:
    return all_boilerplate(change_words(drop_sentence(text, rng), rng), rng)


EDITS: dict[str, Callable[[str, random.Random], str]] = {
    "agency prefix": add_prefix,
    "dateline prefix": add_dateline,
    "end mark": add_end_mark,
    "related links": add_related,
    "source line": add_source,
    "all boilerplate": all_boilerplate,
    "sentence dropped": drop_sentence,
    "4 words changed": change_words,
    "paragraphs reordered": move_last_paragraph,
    "Arabic yeh/kaf": arabic_letters,
    "ZWNJ lost": zwnj_lost,
    "ZWNJ as space": zwnj_as_space,
    "paragraph breaks lost": one_paragraph,
    "republished (boilerplate + sentence + words)": republished,
}


@dataclass(frozen=True)
class Pair:
    group: str  # what the pair is: an edit's name, or a kind of negative pair
    a: str
    b: str
    duplicate: bool
    label: str  # which original(s)


def originals() -> dict[str, str]:
    """Name -> body, each distinct body (as the contract normalizes it) once."""
    found: dict[str, str] = {}
    sources = [(page.name, page.meta.get("expected", {})) for page in fixture_pages()]
    sources += [(f"seed/{p.name.removesuffix('.expected.json')}", json.loads(p.read_text("utf-8"))) for p in sorted(SEED.glob("*.expected.json"))]
    for name, record in sources:
        body = normalize_paragraphs(record.get("body"))
        if body and body not in found.values():
            found[name] = body
    return found | SAME_EVENT | TEMPLATED


def build_pairs(texts: dict[str, str]) -> list[Pair]:
    pairs = []
    for name, text in texts.items():
        for edit, make in EDITS.items():
            copy = make(text, random.Random(f"{name}/{edit}"))
            if copy != text:
                pairs.append(Pair(edit, text, copy, True, name))
    names = list(texts)
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            group = HAND_PAIRS.get((first, second), "different articles")
            pairs.append(Pair(group, texts[first], texts[second], False, f"{first} ~ {second}"))
    return pairs


def found_at(pairs: list[Pair], distances: list[int]) -> dict[int, list[bool]]:
    """Per k, whether an index of max_distance k holding a finds b, pair by pair."""
    result = {}
    for k in DISTANCES:
        found = []
        for pair, d in zip(pairs, distances):
            index = NearDuplicateIndex(k)
            index.add("a", fingerprint_of(pair.a))
            hit = index.find(fingerprint_of(pair.b)) == "a"
            assert hit == (d <= k), "the index must agree with the distance"
            found.append(hit)
        result[k] = found
    return result


fingerprint_of = functools.cache(fingerprint)


def precision_recall(pairs: list[Pair], hits: list[bool]) -> tuple[float, float, int, int]:
    tp = sum(h and p.duplicate for p, h in zip(pairs, hits))
    fp = sum(h and not p.duplicate for p, h in zip(pairs, hits))
    positives = sum(p.duplicate for p in pairs)
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / positives if positives else 1.0), tp, fp


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["| " + " | ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))) + " |" for r in [header, *rows]]
    lines.insert(1, "|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|")
    return "\n".join(lines)


def report_main(pairs: list[Pair], distances: list[int], hits: dict[int, list[bool]]) -> None:
    rows = []
    for k in DISTANCES:
        precision, recall, tp, fp = precision_recall(pairs, hits[k])
        mark = " (default)" if k == DEFAULT_MAX_DISTANCE else ""
        rows.append([f"{k}{mark}", f"{precision:.3f}", f"{recall:.3f}", str(tp), str(fp)])
    print(table(["max_distance", "precision", "recall", "true pos.", "false pos."], rows))

    print("\nDistance by case (min / median / max over originals) and, per max_distance, the share of pairs found:\n")
    groups = list(dict.fromkeys(p.group for p in pairs))
    rows = []
    for group in groups:
        chosen = [i for i, p in enumerate(pairs) if p.group == group]
        values = sorted(distances[i] for i in chosen)
        kind = "duplicate" if pairs[chosen[0]].duplicate else "not duplicate"
        rows.append([f"{group} ({kind})", str(len(chosen)), f"{values[0]} / {statistics.median(values):g} / {values[-1]}",
                     *(f"{sum(hits[k][i] for i in chosen) / len(chosen):.2f}" for k in DISTANCES)])
    print(table(["case", "pairs", "distance", *(f"k={k}" for k in DISTANCES)], rows))


def report_lengths(pairs: list[Pair], distances: list[int], hits: dict[int, list[bool]]) -> None:
    """Recall by the original's length: an edit is a larger share of a short text."""
    buckets = {"under 150 words": (0, 150), "150-400 words": (150, 400), "400 words or more": (400, 10**9)}
    rows = []
    for name, (low, high) in buckets.items():
        chosen = [i for i, p in enumerate(pairs) if p.duplicate and low <= len(p.a.split()) < high]
        if chosen:
            rows.append([name, str(len({pairs[i].label for i in chosen})), str(len(chosen)),
                         *(f"{sum(hits[k][i] for i in chosen) / len(chosen):.2f}" for k in DISTANCES)])
    print("\nRecall by the original's length:\n")
    print(table(["original", "originals", "pairs", *(f"k={k}" for k in DISTANCES)], rows))
    print("\nClosest pairs of different originals:")
    for d, group, label in sorted((d, p.group, p.label) for p, d in zip(pairs, distances) if not p.duplicate)[:5]:
        print(f"  {d:2d}  {group}: {label}")


def simhash(features: set[str]) -> int:
    """Charikar's SimHash of the same features, for comparison."""
    totals = [0] * BITS
    for feature in features:
        h = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=BITS // 8).digest(), "little")
        for i in range(BITS):
            totals[i] += 1 if h >> i & 1 else -1
    return sum(1 << i for i, total in enumerate(totals) if total > 0)


def library_fingerprints() -> dict[str, Callable[[str], int]]:
    """The same shingles fingerprinted by the well-kept libraries, where installed
    (pip install datasketch simhash): 64 bits each, compared by Hamming distance."""
    found: dict[str, Callable[[str], int]] = {}
    if datasketch := optional("datasketch", "pip install datasketch"):
        def datasketch_minhash(text: str) -> int:
            m = datasketch.MinHash(num_perm=BITS, seed=1)
            m.update_batch([feature.encode("utf-8") for feature in shingles(text)])
            return sum((int(value) & 1) << i for i, value in enumerate(m.hashvalues))  # b-bit, b=1

        found["datasketch MinHash (64 permutations, 1 bit each)"] = datasketch_minhash
    if simhash_package := optional("simhash", "pip install simhash"):
        found["simhash package (Simhash of the shingles)"] = lambda t: simhash_package.Simhash(sorted(shingles(t)), f=BITS).value
    return found


def report_speed(rounds: int = 30) -> None:
    """Each fingerprint's cost per real page's body, against extract_article on
    that page (best of `rounds`, interleaved)."""
    from crawler.extract import extract_article

    pages = []
    for page in fixture_pages():
        if page.real:
            body = page.read()
            pages.append((page.name, body, page.url, extract_article(body, page.url)["body"] or ""))
    runners = {"ours (one-permutation, blake2b)": fingerprint, **library_fingerprints()}
    contenders = {"extract": lambda body, url, text: extract_article(body, url)}
    contenders |= {runner: lambda body, url, text, fp=fp: fp(text) for runner, fp in runners.items()}
    times = interleaved(pages, contenders, rounds, order="fixed", warm_up=False)
    best = {(name, contender): seconds for contender, t in times.items() for name, seconds in per_page(t, min).items()}
    print(f"\nSpeed on the {len(pages)} real pages' bodies (best of {rounds}), against extract_article on the page:\n")
    rows = []
    names = [page[0] for page in pages]
    for runner in runners:
        ratios = [best[name, runner] / best[name, "extract"] for name in names]
        total = sum(best[name, runner] for name in names) / sum(best[name, "extract"] for name in names)
        rows.append([runner, f"{1000 * sum(best[name, runner] for name in names) / len(pages):.2f}", f"{total:.2f}", f"{max(ratios):.2f}"])
    print(table(["fingerprint", "ms a page (mean)", "x extract, all pages", "x extract, worst page"], rows))


def report_variants(pairs: list[Pair]) -> None:
    """Recall / precision of other choices, to justify the default's."""
    digits = re.compile(r"[0-9۰-۹٠-٩]+")
    variants: dict[str, Callable[[str], int]] = {
        f"{n}-word shingles{' (default)' if n == SHINGLE_SIZE else ''}": (lambda t, n=n: minhash(shingles(t, n)))
        for n in (1, 2, 3, 4, 5)
    }
    variants[f"{SHINGLE_SIZE}-word shingles, digits dropped"] = lambda t: minhash(shingles(digits.sub(" ", t)))
    variants[f"SimHash of {SHINGLE_SIZE}-word shingles"] = lambda t: simhash(shingles(t))
    variants.update(library_fingerprints())
    negatives = list(dict.fromkeys(p.group for p in pairs if not p.duplicate))
    print("\nOther choices (one-bit MinHash unless named): recall / precision per max_distance, "
          "and the smallest distance between originals of each kind of non-duplicate pair\n")
    rows = []
    for name, fp in variants.items():
        cache = {t: fp(t) for t in {x for p in pairs for x in (p.a, p.b)}}
        distances = [distance(cache[p.a], cache[p.b]) for p in pairs]
        cells = []
        for k in DISTANCES:
            precision, recall, _, _ = precision_recall(pairs, [d <= k for d in distances])
            cells.append(f"{recall:.2f} / {precision:.2f}")
        nearest = [str(min(d for p, d in zip(pairs, distances) if p.group == group)) for group in negatives]
        rows.append([name, *cells, *nearest])
    print(table(["features", *(f"k={k}" for k in DISTANCES), *negatives], rows))


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--speed", action="store_true", help="also time each fingerprint on the real pages' bodies")
    args = parser.parse_args(argv)
    texts = originals()
    pairs = build_pairs(texts)
    distances = [distance(fingerprint_of(p.a), fingerprint_of(p.b)) for p in pairs]
    hits = found_at(pairs, distances)
    fixtures = sum(not n.startswith("hand/") for n in texts)
    print(f"Near-duplicate benchmark: {len(texts)} originals ({fixtures} fixture and seed bodies, {len(texts) - fixtures} hand-written), "
          f"{sum(p.duplicate for p in pairs)} duplicate pairs, {sum(not p.duplicate for p in pairs)} non-duplicate pairs; "
          f"{SHINGLE_SIZE}-word shingles, 64-bit one-bit MinHash\n")
    report_main(pairs, distances, hits)
    report_lengths(pairs, distances, hits)
    report_variants(pairs)
    if args.speed:
        report_speed()
    return 0


if __name__ == "__main__":
    sys.exit(main())
