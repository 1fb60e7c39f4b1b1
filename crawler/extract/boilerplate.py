"""What Iranian news pages put inside the article container that is not the article.

Two kinds: elements (share bars, related-news boxes, comment forms) removed
before text is taken, and whole paragraphs recognised by their words (end
marks, editor codes, "read more" links, the credited source line).
"""

from __future__ import annotations

import re
from functools import lru_cache

from crawler.persian.text import ZWNJ, fold_for_comparison, normalize_text

# Elements inside a body container that never hold the article's text.
DROP_SELECTORS = (
    "script, style, noscript, form, iframe, button, input, select, textarea, nav, aside",
    "[class*=share], [class*=social], [class*=related], [class*=comment], [id*=comment]",
    "[class*=short_link], [class*=short-link], [class*=shortlink], [class*=tinyurl]",
    "[class*=print], [class*=rating], [class*=breadcrumb], [class*=newsletter], [class*=banner]",
    "[class*=tags], [class*=tag_], [class*=article_tag], [class*=article-tag], [class*=keyword]",
    "[class*=advert], [class*=ads-], [id*=advert]",
)

_P = r"[\s\u200c]*"
# "End of message" (and an agency's code): where an article ends, alone or
# glued to its last sentence.
_END = rf"(?:انتهای|پایان){_P}پیام{_P}(?:/.{{0,12}})?"
_END_MARK = re.compile(rf"^{_END}$")
_END_MARK_TAIL = re.compile(rf"\s*{_END}$")
# A paragraph matching any of these is dropped wherever it stands.
_DROP_LINES = [
    r"^[*\-_=.•]+$",
    rf"^(?:بیشتر{_P}بخوانید|بخوانید|مطالب{_P}مرتبط|اخبار{_P}مرتبط|خبرهای{_P}مرتبط|پیشنهاد{_P}ویژه|مطالب{_P}پیشنهادی|پیشنهاد{_P}خواندنی|خواندنی{_P}ها)\b.{{0,200}}$",
    rf"^(?:اشتراک{_P}گذاری|نسخه{_P}چاپی|ارسال{_P}به{_P}دوستان|لینک{_P}کوتاه|کپی{_P}شد|دیدگاه{_P}تان{_P}را{_P}بنویسید|ارسال{_P}نظر|نظر{_P}شما)\b.{{0,80}}$",
    r"^(?:کد|شناسه)\s*خبر\s*[:：]?\s*[\d۰-۹]+$",
]
_DROP_LINE = re.compile("|".join(f"(?:{p})" for p in _DROP_LINES))
# Editor initials and codes closing an agency story: "/ن", "ب.ا", "م.ر/۱۲۳", "۲۳۴۵/۶۷۸", "4411",
# and the English editions' capitals ("MA", "AB/PA", Tehran Times).
_CODE_PART = r"(?:[\u0600-\u06ff]{1,3}|[\d۰-۹]+|[A-Z]{1,3})"
_EDITOR_CODE = re.compile(rf"^[/\\\s]*{_CODE_PART}(?:\s*[./\\\-_]\s*{_CODE_PART}){{0,4}}[/\\\s]*$")
# (Its source is normalized again where it is taken: after a full-width colon a ZWNJ is left at its edge.)
SOURCE_LINE = re.compile(r"^(?:منبع|منابع|source)\s*[:：]\s*(?P<source>.+)$", re.I)


def strip_prefix(text: str, names: tuple[str, ...]) -> str:
    """Drop a leading site name used as a dateline, e.g. "اعتمادآنلاین| ..."."""
    m = _dateline(names).match(text) if names else None
    return text[m.end():] if m else text


@lru_cache(maxsize=256)
def _dateline(names: tuple[str, ...]) -> re.Pattern:
    """A site's names as a dateline; the first name that matches wins, as
    alternatives are tried in order."""
    return re.compile(rf"\s*(?:{'|'.join(map(re.escape, names))})\s*[|｜:،\-–—]+\s*")


def _repeats(paragraph: str, names: tuple[str, ...], repeated: set[str]) -> bool:
    # A normalized paragraph, its dateline stripped and folded, is a suffix of
    # itself with ZWNJs as spaces: the cheap test first, as most paragraphs
    # of a long body repeat nothing.
    spaced = paragraph.replace(ZWNJ, " ")
    return spaced.endswith(tuple(repeated)) and fold_for_comparison(strip_prefix(paragraph, names)) in repeated


def clean_paragraphs(
    paragraphs: list[str], *, names: tuple[str, ...] = (), repeats: tuple[str | None, ...] = ()
) -> tuple[list[str], str | None]:
    """Body paragraphs without boilerplate, and the credited source if a
    closing "منبع: ..." line named one, both normalized as `paragraphs` must
    be (normalize_text). `repeats` are texts already exported in other fields
    (headline, lead) that some sites print again inside the body."""
    repeated = {fold_for_comparison(strip_prefix(r, names)) for r in repeats if r}
    kept: list[str] = []
    source = None
    for i, p in enumerate(paragraphs):
        if _END_MARK.match(p):
            # The article ends at its end mark: what a site puts after it (YJC's
            # keyword heading, links) is not the article, bar a source credit.
            kept.extend(q for q in paragraphs[i + 1:] if SOURCE_LINE.match(q))
            break
        if _DROP_LINE.match(p) or repeated and _repeats(p, names, repeated):
            continue
        kept.append(p)
    # Closing lines: editor codes, source credit, end marks, in any order.
    while kept:
        last = kept[-1]
        m = SOURCE_LINE.match(last)
        if m:
            source = source or normalize_text(m.group("source"))
        elif not _EDITOR_CODE.match(last):
            tail = _END_MARK_TAIL.sub("", last) if "پیام" in last else last  # (the search, not the word, costs)
            if tail != last:
                kept[-1] = normalize_text(tail) or ""  # a ZWNJ glued to the end mark is at its edge now
                continue
            break
        kept.pop()
    return [p for p in kept if p], source
