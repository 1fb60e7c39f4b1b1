"""What sites put inside the article container that is not the article."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.extract.boilerplate import _repeats, clean_paragraphs, strip_prefix
from crawler.extract.html import parse_html
from crawler.extract.layers import Page
from crawler.persian.text import ZWNJ, fold_for_comparison, normalize_text
from crawler.sites import site_named

BODY = ["بند اول خبر است.", "بند دوم خبر است."]


@pytest.mark.parametrize(
    "closing",
    [
        ["انتهای پیام"],
        ["انتهای پیام/ی"],
        ["انتهای\u200cپیام/ ۱۲"],
        ["پایان پیام"],
        ["/ن"],
        ["ب.ا"],
        ["م.ر/۱۲۳"],
        ["۲۳۴۵/۶۷۸"],
        ["4411"],
        ["MA"],
        ["***"],
        ["انتهای پیام", "بررسی مشکلات فعالان بخش خصوصی"],  # after the end mark nothing is the article
    ],
)
def test_closing_marks_and_codes_go(closing):
    assert clean_paragraphs(BODY + closing) == (BODY, None)


def test_end_mark_glued_to_the_last_sentence():
    assert clean_paragraphs(["بند اول.", "بند آخر است. انتهای پیام"]) == (["بند اول.", "بند آخر است."], None)


@pytest.mark.parametrize(
    "line",
    [
        "بیشتر بخوانید: عنوان خبری دیگر",
        "بیشتر\u200cبخوانید",
        "اخبار مرتبط",
        "مطالب پیشنهادی",
        "نسخه چاپی",
        "ارسال به دوستان",
        "لینک کوتاه",
        "دیدگاه تان را بنویسید",
        "کد خبر: ۵۲۳۹۹۵",
    ],
)
def test_navigation_and_share_lines_go_wherever_they_stand(line):
    assert clean_paragraphs([BODY[0], line, BODY[1]]) == (BODY, None)


def test_source_line_becomes_the_source():
    assert clean_paragraphs(BODY + ["منبع: ایسنا", "انتهای پیام"]) == (BODY, "ایسنا")
    assert clean_paragraphs(BODY + ["انتهای پیام", "منبع: ایسنا"]) == (BODY, "ایسنا")


def test_the_last_source_line_names_the_source():
    """A story credited twice is the last credit's: the closing line."""
    assert clean_paragraphs(BODY + ["منبع: ایرنا", "منبع: ایسنا"]) == (BODY, "ایسنا")
    assert clean_paragraphs(BODY + ["منبع: ایرنا", "انتهای پیام", "منبع: ایسنا"]) == (BODY, "ایسنا")


@pytest.mark.parametrize("line", ["Source: IRNA", "SOURCE: IRNA", "source: IRNA"])
def test_an_english_source_line_is_read_whatever_its_case(line):
    """The English editions (Tehran Times, IRNA English) credit in English."""
    assert clean_paragraphs(BODY + [line]) == (BODY, "IRNA")


@pytest.mark.parametrize("line", ["...", "......", "•", "•••", "***", "---", "___", "===", "*.*.*", "-•-"])
def test_separator_lines_go_wherever_they_stand(line):
    assert clean_paragraphs([BODY[0], line, BODY[1]]) == (BODY, None)


def test_lead_and_headline_repeated_in_the_body_go():
    lead = "خلاصه خبر در یک جمله."
    paragraphs = ["اعتمادآنلاین| خلاصه خبر در یک جمله.", *BODY]
    assert clean_paragraphs(paragraphs, names=("اعتمادآنلاین",), repeats=("عنوان", lead)) == (BODY, None)


def test_words_that_only_start_like_boilerplate_stay():
    text = ["بخوانید و بدانید که این بند بخشی از متن است و " + "ادامه دارد " * 30]
    assert clean_paragraphs(BODY + text)[0] == BODY + text
    assert clean_paragraphs(["منبع این خبر گفت که ..."] + BODY)[0] == ["منبع این خبر گفت که ..."] + BODY


def test_site_prefix():
    assert strip_prefix("اعتمادآنلاین| متن", ("اعتمادآنلاین",)) == "متن"
    assert strip_prefix("شرق: متن", ("شرق",)) == "متن"
    assert strip_prefix("به گزارش ایسنا، متن", ("ایسنا",)) == "به گزارش ایسنا، متن"
    # A site of several names: whichever opens the text, a longer one after a shorter it begins with.
    names = ("اعتماد", "اعتماد آنلاین", "Etemad Online")
    assert strip_prefix(" اعتماد آنلاین :: متن", names) == "متن"
    assert strip_prefix("Etemad Online - متن", names) == "متن"
    assert strip_prefix("اعتمادی| متن", names) == "اعتمادی| متن"
    assert strip_prefix("متن", ()) == "متن"


def fixture_paragraphs() -> list[str]:
    found = []
    for meta in sorted((Path(__file__).parent / "fixtures").glob("*/*.json")):
        expected = json.loads(meta.read_text("utf-8")).get("expected") or {}
        for field in ("headline", "lead", "body"):
            found += [p for p in (expected.get(field) or "").split("\n\n") if p]
    return found


def test_the_quick_test_for_a_repeated_paragraph_misses_none():
    """_repeats tests a suffix before folding; on normalized paragraphs it must
    answer as the folded comparison does, whatever the repeat looks like."""
    names = ("ایسنا", "اعتمادآنلاین")
    paragraphs = fixture_paragraphs()
    assert len(paragraphs) > 200
    for p in paragraphs:
        halfway = p[len(p) // 2:]
        for repeat in (p, f"ایسنا| {p}", p.replace(ZWNJ, " "), halfway, f"{p} بیشتر"):
            repeated = {fold_for_comparison(strip_prefix(repeat, names))}
            for text in (p, f"اعتمادآنلاین| {p}", f"ایسنا - {p}"):
                text = normalize_text(text)
                assert _repeats(text, names, repeated) == (fold_for_comparison(strip_prefix(text, names)) in repeated)


# Pieces that normalization and the boilerplate rules meet at a paragraph's edges.
_PIECES = st.sampled_from(["بند", "آخر", "است", ".", " ", ZWNJ, "|", "：", ":", "-", "انتهای پیام", "منبع", "ایسنا", "/ن", "\u00a0"])


@settings(max_examples=500)
@given(st.lists(st.lists(_PIECES, min_size=1, max_size=8).map("".join), min_size=1, max_size=4))
def test_what_is_kept_is_normalized(raw):
    """Extraction does not normalize the body again (crawler.schema.article.complete_article):
    what is left of normalized paragraphs, and the source they credit, must be normalized."""
    paragraphs = [p for p in map(normalize_text, raw) if p]
    kept, source = clean_paragraphs(paragraphs)
    assert kept == [normalize_text(p) for p in kept]
    assert source is None or source == normalize_text(source)


def test_a_zwnj_glued_to_what_goes_goes_too():
    assert clean_paragraphs(["بند اول.", f"بند آخر است{ZWNJ}انتهای پیام"]) == (["بند اول.", "بند آخر است"], None)
    assert clean_paragraphs([*BODY, f"منبع：{ZWNJ}ایسنا"]) == (BODY, "ایسنا")


_TITLE_PIECES = st.sampled_from(["اعتمادآنلاین", "اعتماد آنلاین", "خبر", "روز", " ", ZWNJ, "|", "｜", "-", "—", ":", "."])


@settings(max_examples=500)
@given(st.lists(_TITLE_PIECES, min_size=1, max_size=10).map("".join))
def test_a_title_without_the_site_name_is_normalized(raw):
    """A headline is not normalized again after the site name is taken off it."""
    url = "https://www.etemadonline.com/fa/tiny/news-1"
    page = Page(parse_html(b"<html></html>", url), url, site_named("etemadonline"))
    title = page.strip_site_name(normalize_text(raw))
    assert title is None or title == normalize_text(title)
    assert page.strip_site_name(f"خبر روز{ZWNJ}| اعتمادآنلاین") == "خبر روز"
