"""Persian text normalization: the one place every text field goes through.

What it does is the export contract's rule, nothing more: Arabic yeh and kaf
become Persian, no-break and other Unicode spaces become plain spaces,
invisible controls (LRM, RLM, BOM, bidi embeddings, zero-width space, soft
hyphen, ...) go, white space collapses, and the zero-width non-joiner (ZWNJ)
that Persian writes inside words is kept; only doubled ZWNJs and ZWNJs at a
word's edge, which carry no meaning, are cleaned. Arabic presentation forms
(glyph codes some old CMSs emit) are folded back to letters. Digits inside
text stay as written; `to_ascii_digits` is for codes and dates only.
"""

from __future__ import annotations

import re
import unicodedata

ZWNJ = "\u200c"

_CHAR_MAP: dict[int, int | str | None] = {
    0x064A: "ی",  # ARABIC LETTER YEH
    0x0649: "ی",  # ARABIC LETTER ALEF MAKSURA (written as yeh on Persian sites)
    0x0643: "ک",  # ARABIC LETTER KAF
    0x00A0: " ",  # NO-BREAK SPACE
    0x202F: " ",  # NARROW NO-BREAK SPACE
    0x2007: " ",  # FIGURE SPACE
    0x3000: " ",  # IDEOGRAPHIC SPACE
    0x205F: " ",  # MEDIUM MATHEMATICAL SPACE
    0x1680: " ",
    0x0085: "\n",  # NEXT LINE
    0x2028: "\n",  # LINE SEPARATOR
    0x2029: "\n\n",  # PARAGRAPH SEPARATOR
    0x000D: "\n",
    0x000B: " ",
    0x000C: " ",
    0x0009: " ",
}
_CHAR_MAP.update({cp: " " for cp in range(0x2000, 0x200B)})  # en/em/thin/hair spaces
# Every format (Cf) and control (Cc) character goes, except ZWNJ and the line breaks above.
for _cp in (*range(0x10000), *range(0x1D173, 0x1D17B), *range(0xE0000, 0xE0080)):
    if _cp in _CHAR_MAP or _cp in (0x200C, 0x000A):
        continue
    if unicodedata.category(chr(_cp)) in ("Cf", "Cc"):
        _CHAR_MAP[_cp] = None
del _cp


def _char_class(codepoints) -> str:
    """A regex character class of these code points, as ranges (a class of
    single characters this long is slow to match)."""
    ranges: list[list[int]] = []
    for cp in sorted(codepoints):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "[" + "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges) + "]"


_MAPPED_RUN = re.compile(_char_class(_CHAR_MAP) + "+")
_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]+")
# Most text asked to be folded has nothing to fold (already normalized text is
# normalized again on its way to export): one scan for any character to map
# or any presentation form says so.
_FOLDED = {*_CHAR_MAP, *range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFF)}
_TO_FOLD = re.compile(_char_class(_FOLDED))
# The same search in two: the re module scans for a class holding characters
# above U+FFFF (a few musical and tag format characters) at a third of the
# speed, so long text looks for those only when it holds any such character.
_TO_FOLD_BMP = re.compile(_char_class(c for c in _FOLDED if c <= 0xFFFF))
_TO_FOLD_ASTRAL = re.compile(_char_class(c for c in _FOLDED if c > 0xFFFF))
_LONG = 64  # characters; below this, one scan costs less than finding out


def _long_text_has_foldable(text: str) -> bool:
    if _TO_FOLD_BMP.search(text):
        return True
    # UTF-16 spends two units on a character above U+FFFF.
    return len(text.encode("utf-16-le", "surrogatepass")) > 2 * len(text) and _TO_FOLD_ASTRAL.search(text) is not None


_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_DIGIT_MAP = str.maketrans(_PERSIAN_DIGITS + _ARABIC_DIGITS, "0123456789" * 2)
_NON_ASCII_DIGITS = re.compile(f"[{_PERSIAN_DIGITS}{_ARABIC_DIGITS}]+")

_ZWNJ_RUN = re.compile(ZWNJ + "{2,}")
# A ZWNJ next to white space, at either end, or next to punctuation joins nothing.
# (Written to start with the ZWNJ itself, so the engine scans for it instead
# of trying the lookbehinds at every position: 30x faster.)
_ZWNJ_EDGE = re.compile(
    rf"{ZWNJ}(?:(?<=[\s.,،؛:!?؟«»()\[\]\"']{ZWNJ})|(?<=^{ZWNJ})|(?=[\s.,،؛:!?؟«»()\[\]\"']|$))", re.M
)
_BLANK_LINES = re.compile(r"\n\s*\n+")


def _translate_run(m: re.Match[str]) -> str:
    return m.group().translate(_CHAR_MAP)


def _fold(text: str) -> str:
    if _TO_FOLD.search(text) if len(text) < _LONG else _long_text_has_foldable(text):
        if _PRESENTATION_FORMS.search(text):
            text = _PRESENTATION_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
        # Only the runs of mapped characters are translated: they are few (a
        # no-break space, a tab) and str.translate costs ~100 ns a character.
        text = _MAPPED_RUN.sub(_translate_run, text)
    if ZWNJ in text:
        if ZWNJ + ZWNJ in text:
            text = _ZWNJ_RUN.sub(ZWNJ, text)
        text = _ZWNJ_EDGE.sub("", text)
    return text


def _one_line(folded: str) -> str | None:
    # Folded text has no white space but spaces and newlines (the rest is
    # mapped), and most has nothing to collapse: `in` finds that out ~40x
    # faster than a search does; str.split() then collapses runs ~5x faster
    # than a regex substitution (the same white space: str.isspace's).
    text = " ".join(folded.split()) if "  " in folded or "\n" in folded else folded.strip()
    if text is not folded and ZWNJ in text:  # stripping may have exposed an edge ZWNJ (_fold cleaned the rest)
        text = _ZWNJ_EDGE.sub("", text)
    return text or None


def normalize_text(text: str | None) -> str | None:
    """One-line field (headline, lead, tag, ...): every run of white space, newlines
    included, becomes one space. Returns None for None or for text that is empty
    once cleaned, so "no value" has one spelling."""
    return None if text is None else _one_line(_fold(text))


def normalize_paragraphs(text: str | None) -> str | None:
    """Multi-paragraph field (body): paragraphs separated by exactly one blank
    line, white space inside a paragraph collapsed."""
    if text is None:
        return None
    paragraphs = (_one_line(p) for p in _BLANK_LINES.split(_fold(text).replace("\r", "")))
    return "\n\n".join(p for p in paragraphs if p) or None


def to_ascii_digits(text: str) -> str:
    """Persian (۰-۹) and Arabic-Indic (٠-٩) digits to ASCII; for codes and dates.
    (Each run of digits is translated, not the whole text: str.translate costs
    ~100 ns a character.)"""
    return _NON_ASCII_DIGITS.sub(lambda m: m.group().translate(_DIGIT_MAP), text)


def fold_for_comparison(text: str) -> str:
    """What two texts must agree on to count as the same words: normalized, with
    ZWNJ treated as a space (copies of pages often lose or misplace it)."""
    # Normalized text has single spaces and no ZWNJ beside a space or at an
    # edge, so a ZWNJ made a space makes no double or edge space.
    return (normalize_text(text) or "").replace(ZWNJ, " ")
