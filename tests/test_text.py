"""Persian normalization on strings taken from the saved real pages in ../shared/pages."""

import html
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.persian import text as text_module
from crawler.persian.text import fold_for_comparison, normalize_paragraphs, normalize_text, to_ascii_digits

# (page, the string as the page has it, what the contract makes of it)
REAL_STRINGS = [
    ("isna.ir/news-98030903723.html", "تيم فوتبال پرسپوليس", "تیم فوتبال پرسپولیس"),  # Arabic yeh
    ("yjc.ir/news-6919119-reserialized.html", "مسكن", "مسکن"),  # Arabic kaf
    ("mehrnews.com/textonly-home-2011-03-10-1738.html", "اعضاى مجلس خبرگان رهبرى\u200c", "اعضای مجلس خبرگان رهبری"),
    ("mehrnews.com/textonly-home-2011-03-10-1738.html", "آیت\u200c الله", "آیت الله"),  # ZWNJ before a space
    ("mehrnews.com/textonly-home-2011-03-10-1738.html", "حجت\u200c\u200cالاسلام", "حجت\u200cالاسلام"),  # doubled ZWNJ
    ("mehrnews.com/textonly-home-2011-03-10-1738.html", "سرمایه\u200eگذاران", "سرمایهگذاران"),  # LRM goes
    ("mehrnews.com/textonly-home-2011-03-10-1738.html", "\xa0::", "::"),  # no-break space
    ("yjc.ir/news-6919119-reserialized.html", "بررسی و\xa0 تجربیات", "بررسی و تجربیات"),
    ("tasnimnews.com/news-1398-02-30-2015910.html", "۳۰ ارديبهشت ۱۳۹۸ - ۲۲:۵۳", "۳۰ اردیبهشت ۱۳۹۸ - ۲۲:۵۳"),
    ("varzesh3.com/news-d1Gjx.html", "رقص\u200cو پایکوبی\u200c\u200cبیرانوند", "رقص\u200cو پایکوبی\u200cبیرانوند"),
    (
        "varzesh3.com/news-d1Gjx.html",
        "کنفرانس\u200cخبری\u200cپس\u200cازبازی\u200c استقلال",
        "کنفرانس\u200cخبری\u200cپس\u200cازبازی استقلال",
    ),
    ("isna.ir/news-98030903723.html", "گفت‌وگو با ایسنا", "گفت‌وگو با ایسنا"),  # ZWNJ inside a word is kept
]


@pytest.mark.parametrize("page,raw,expected", REAL_STRINGS, ids=[f"{p}:{e[:12]}" for p, _, e in REAL_STRINGS])
def test_real_strings(shared, page, raw, expected):
    assert raw in html.unescape((shared / "pages" / page).read_text("utf-8")), "the string must be on the page"
    assert normalize_text(raw) == expected


def test_zwnj_inside_words_survives_everywhere():
    text = "می\u200cروند و کتاب\u200cها"
    assert normalize_text(text) == text
    assert normalize_paragraphs(text) == text
    assert normalize_text("\u200cمی\u200cروند\u200c") == "می\u200cروند"
    assert normalize_text("می\u200c\u200c\u200cروند") == "می\u200cروند"
    assert normalize_text("«\u200cسلام\u200c»") == "«سلام»"


def test_invisible_controls_go():
    assert normalize_text("\ufeffسلام\u200f \u200eدنیا\u202b!\u202c\u200b") == "سلام دنیا!"
    assert normalize_text("a\u00adb\u2066c\u2069") == "abc"


@pytest.mark.parametrize("filler", ["", "متن بلند " * 10])
def test_every_folded_character_is_found_in_short_and_long_text(filler):
    """Long text is searched in two parts (below and above U+FFFF): each
    character to fold is still found, wherever the text has it."""
    for cp in sorted(text_module._FOLDED):
        if cp not in text_module._CHAR_MAP and unicodedata.normalize("NFKC", chr(cp)) == chr(cp):
            continue  # a presentation-form code point that folds to itself
        text = f"{filler}سلام{chr(cp)}دنیا{filler}"
        assert text_module._fold(text) != text, hex(cp)
    text = f"{filler}سلام\u200cدنیا 😀 𝄞{filler}"  # above U+FFFF, not to fold
    assert text_module._fold(text) == text


def test_format_characters_above_the_bmp_go_from_long_text():
    assert normalize_text("بند " * 20 + "\U000e0041پایان\U0001d173") == ("بند " * 20).strip() + " پایان"


def test_white_space_and_paragraphs():
    assert normalize_text("  یک \t دو\n\nسه\u2003 ") == "یک دو سه"
    assert normalize_paragraphs(" یک  دو \n\n\n  سه\r\n\r\nچهار \n پنج") == "یک دو\n\nسه\n\nچهار پنج"
    assert normalize_text("   ") is None and normalize_text(None) is None
    assert normalize_paragraphs("\n \n") is None


@given(st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x85\xa0\u1680\u2003\u2028\u2029\u202f\u3000\u200cاب.", max_size=30))
def test_white_space_collapses_to_one_space_between_words(text):
    out = normalize_text(text)
    assert out is None or (out == out.strip() and "  " not in out and not set(out) & set("\t\n\r\x0b\x0c\x85\xa0"))
    assert (out or "").replace(" ", "").replace("\u200c", "") == "".join(c for c in text if c in "اب.")


def test_arabic_presentation_forms_fold_to_letters():
    assert normalize_text("\ufef3\ufe8e\ufedf\ufe92") == "یالب"


def test_digits_stay_in_text_but_convert_for_codes():
    assert normalize_text("۱۴۰۰ و 1400 و ١٤٠٠") == "۱۴۰۰ و 1400 و ١٤٠٠"
    assert to_ascii_digits("۱۴۰۰/٠٩/03") == "1400/09/03"


def test_fold_for_comparison_ignores_zwnj_and_arabic_letters():
    assert fold_for_comparison("مي\u200cروند  كه") == fold_for_comparison("می روند که")


def test_idempotent():
    for _, raw, _ in REAL_STRINGS:
        once = normalize_text(raw)
        assert normalize_text(once) == once
