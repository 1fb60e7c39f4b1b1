"""Publication times as Iranian news sites write them, read into Tehran time.

`parse_time` finds a date (and, next to it, a time of day) inside a string such
as a `.item-date` text or an `article:published_time` value, and returns it as
an aware datetime in Asia/Tehran. The forms it reads are those in
notes/sites.md §3.1: numeric Jalali (year first or last); a Persian month
name with the day and year in any of the orders sites print (day month year,
DW's year month day, month day year), a comma and a weekday before or after
allowed; the spellings اذر, ابان, امرداد and Arabic yeh and kaf; Gregorian
months in Persian (۱۷ دسامبر ۲۰۲۳) and English; ISO 8601, DD.MM.YYYY,
US M/D/YYYY, AM/PM markers in Persian and English (after the time, or
before it: "ب.ظ 04:25:12"), and relative times
("۲ ساعت پیش", "پریروز") when the caller passes `now`.

Rules worth knowing:
- The year decides the calendar: 1300-1500 is Jalali, 1990-2100 Gregorian;
  anything else is rejected. A two-digit year (only after a Persian month
  name) below 50 is 14xx, otherwise 13xx.
- With a 4-digit year last, `/` means D/M/Y for a Jalali year and US M/D/Y for
  a Gregorian one (unless the first number is > 12); `.` and `-` mean D.M.Y.
- A time without an offset is Tehran wall time, and the offset is what the tz
  database says (Iran's DST began at 24:00 on 1 Farvardin and ended at 24:00
  on 30 Shahrivar, 2008-2022 and before 2006). In the hour repeated when the
  clocks went back, the first (DST, fold=0) reading is taken. A wall time in
  the spring gap, which never existed, is read with the offset zoneinfo gives
  it with fold=0 (the one before the jump), so 00:30 on 2 Farvardin 1401 comes
  out as 01:30+04:30, the same instant.
- A time with an offset (`Z`, `+04:30`, `GMT`) is that instant, shown in Tehran.
- Fractions of a second are dropped: no site means them and the export format
  has none.
- A time of day belongs to a date when only separators stand between them, or,
  after the date, a weekday and the words of "در ساعت" and "زمان انتشار"; not
  "به‌روزرسانی" (an update time), and not a clock printed before a weekday
  and a date (a page header's clock beside today's date).
- When the text holds several dates, the first one that has a time of day next
  to it wins, else the first date. A date next to an impossible time (25:00)
  makes the whole text None rather than a guess.
- Not read: a date without a year ("۱۹ اردیبهشت"), numeric two-digit years
  ("98/02/11"), an hour without minutes ("ساعت 17"), and vague relative words
  ("دقایقی پیش", "لحظاتی پیش").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from crawler.persian.text import normalize_text, to_ascii_digits

__all__ = ["TEHRAN", "ParsedTime", "parse_time", "to_gregorian"]

TEHRAN = ZoneInfo("Asia/Tehran")

JALALI_YEARS = range(1300, 1501)
GREGORIAN_YEARS = range(1990, 2101)


@dataclass(frozen=True)
class ParsedTime:
    value: datetime  # aware, in Asia/Tehran; midnight wall time when has_time is False
    has_time: bool  # the text gave a time of day
    has_seconds: bool

    def isoformat(self) -> str:
        """`2021-11-24T19:11:37+03:30`, seconds as :00 when only HH:MM was given,
        or just `2021-11-24` when the text gave no time of day."""
        if not self.has_time:
            return self.value.date().isoformat()
        return self.value.isoformat(timespec="seconds")


# --- tables -----------------------------------------------------------------

# Spellings after normalize_text (Arabic yeh/kaf already folded), with and
# without the madda, and the older امرداد.
_FA_MONTHS = {
    "فروردین": 1, "اردیبهشت": 2, "خرداد": 3, "تیر": 4, "مرداد": 5, "امرداد": 5,
    "شهریور": 6, "مهر": 7, "آبان": 8, "ابان": 8, "آذر": 9, "اذر": 9, "دی": 10,
    "بهمن": 11, "اسفند": 12,
}  # fmt: skip
# Gregorian month names as Persian writes them (BBC, DW, Euronews); read only
# with a Gregorian year.
_FA_GREGORIAN_MONTHS = {
    "ژانویه": 1, "فوریه": 2, "مارس": 3, "آوریل": 4, "اوریل": 4, "مه": 5, "می": 5,
    "ژوئن": 6, "ژوئیه": 7, "جولای": 7, "اوت": 8, "آگوست": 8, "اگوست": 8,
    "سپتامبر": 9, "اکتبر": 10, "نوامبر": 11, "دسامبر": 12,
}  # fmt: skip
# A weekday, written before or after a date (and so between a date and its time).
_WEEKDAY = r"(?:(?:یک|دو|سه|چهار|پنج)[\s\u200c]?)?شنبه|جمعه|(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_EN_MONTHS = {
    name: i
    for i, names in enumerate(
        (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")),
        start=1,
    )
    for name in names
}  # fmt: skip
_NUMBER_WORDS = {
    "یک": 1, "دو": 2, "سه": 3, "چهار": 4, "پنج": 5, "شش": 6, "هفت": 7, "هشت": 8,
    "نه": 9, "ده": 10, "یازده": 11, "دوازده": 12,
}  # fmt: skip
# Relative units: (step, or None for calendar months; months back per unit)
_UNITS = {
    "ثانیه": (timedelta(seconds=1), 0),
    "دقیقه": (timedelta(minutes=1), 0),
    "ساعت": (timedelta(hours=1), 0),
    "روز": (timedelta(days=1), 0),
    "هفته": (timedelta(days=7), 0),
    "ماه": (None, 1),
    "سال": (None, 12),
}
_DAY_WORDS = {"امروز": 0, "دیروز": 1, "پریروز": 2}


def _alt(names) -> str:
    # Longest first, so "March" is not read as "Mar" + "ch".
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


# --- patterns (on normalized, lowercased text with ASCII digits) ----------

# A date's first number must not be the tail of a longer number, a news code
# like 1608590/13, or a phone number; nor its last number the head of one.
_START = r"(?<![0-9/.\-])"
_END = r"(?![0-9]|[/.\-][0-9])"
_EN = rf"(?P<mon>{_alt(_EN_MONTHS)})(?![a-z])"

# (pattern, how to read it, what the text must contain for it to be worth
# trying); tried together, the earliest match wins.
_LATIN_WORD = re.compile("[a-z]{3}")
_PERSIAN_WORD = re.compile("[\u0621-\u06cc]{2}")
# A Persian month name, Jalali or Gregorian, maybe followed by ماه ("month"),
# and not the start of a longer word.
_FA_MON = rf"(?P<mon>{_alt({**_FA_MONTHS, **_FA_GREGORIAN_MONTHS})})(?:[\s\u200c]*ماه)?(?![^\W\d])"
# A day or year that does not continue a longer number (52399, 1608590/13).
_NUM_START = r"(?<![0-9])(?<![0-9][/.])"
_DATE_FORMS = (
    (re.compile(rf"{_START}(?P<y>[0-9]{{4}})(?P<sep>[/.\-])(?P<m>[0-9]{{1,2}})(?P=sep)(?P<d>[0-9]{{1,2}}){_END}"), "ymd", None),
    (re.compile(rf"{_START}(?P<d>[0-9]{{1,2}})(?P<sep>[/.\-])(?P<m>[0-9]{{1,2}})(?P=sep)(?P<y>[0-9]{{4}}){_END}"), "dmy", None),
    # day month year ("۱۶ تیر ۱۳۹۷", "۱۶ تیر، ۱۳۹۷"; a two-digit year only without the comma)
    (re.compile(rf"{_NUM_START}(?P<d>[0-9]{{1,2}})\s*{_FA_MON}(?:\s*[,،]?\s*(?P<y>[0-9]{{4}})|\s*(?P<yy>[0-9]{{2}}))(?![0-9:])"), "fa", _PERSIAN_WORD),
    # year month day (DW: "۱۳۹۷ تیر ۱۶, شنبه")
    (re.compile(rf"{_NUM_START}(?P<y>[0-9]{{4}})\s*[,،]?\s*{_FA_MON}\s*(?P<d>[0-9]{{1,2}})(?![0-9]|[:/.][0-9])"), "fa", _PERSIAN_WORD),
    # month day year ("تیر ۱۶، ۱۳۹۷")
    (re.compile(rf"(?<![^\W\d]){_FA_MON}\s*(?P<d>[0-9]{{1,2}})\s*[,،]?\s*(?P<y>[0-9]{{4}})(?![0-9:])"), "fa", _PERSIAN_WORD),
    (re.compile(rf"(?<![0-9])(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?{_EN}\.?,?\s*(?P<y>[0-9]{{4}})(?![0-9])"), "en", _LATIN_WORD),
    (re.compile(rf"(?<![a-z])(?=[adfjmnos]){_EN}\.?\s*(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s*(?P<y>[0-9]{{4}})(?![0-9])"), "en", _LATIN_WORD),
)  # fmt: skip

_AMPM = r"ق\.?\s?ظ|ب\.?\s?ظ|قبل\s?از\s?ظهر|بعد\s?از\s?ظهر|[ap]\.?\s?m\.?(?![a-z])"
# An offset is 4 or 6 digits and no more, so a phone number after a time (+9821...) is not one.
_TZ = r"(?P<tz>(?:utc|gmt)?[+-][0-9]{2}:?[0-9]{2}(?::?[0-9]{2})?(?![0-9])|z(?![a-z])|utc|gmt)"
# The AM/PM marker after the time, or before it as .NET's fa-IR culture writes
# it ("ب.ظ 04:25:12").
_TIME = (
    rf"(?:(?<![^\W\d_])(?P<ap_before>{_AMPM})\s*)?"
    r"(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2})(?:\.[0-9]+)?)?(?![0-9])"
    rf"(?:\s*(?P<ap>{_AMPM}))?(?:\s?{_TZ})?"
)
# What may stand between a time and the date after it: white space, dashes,
# Persian and Latin commas, slash, bar, colon, the words ساعت ("hour") and
# "at", ISO's T (lowercased).
_SEP = r"(?:\s|[-–—،,/|؛:t]|ساعت|at)*"
# After a date, also a weekday and the words of "در ساعت" ("at the hour") and
# "زمان انتشار" ("publication time"), so that their time is not dropped. Not
# "به‌روزرسانی": the time after it is another one.
_SEP_AFTER = rf"(?:\s|[-–—،,/|؛:t]|ساعت|at|در|زمان|انتشار|{_WEEKDAY})*"
_TIME_AFTER = re.compile(_SEP_AFTER + _TIME)
_TIME_BEFORE = re.compile(rf"(?<![0-9:]){_TIME}{_SEP}\Z")
_BEFORE_WINDOW = 48  # characters; "ساعت ۱۲:۴۵:۲۹ ب.ظ - " is 20

_AGO = re.compile(
    rf"(?<!\w)(?P<n>[0-9]{{1,3}}|{_alt(_NUMBER_WORDS)})\s*(?P<unit>{_alt(_UNITS)})\s*(?:پیش|قبل)(?!\w)"
)
_DAY_WORD = re.compile(rf"(?<!\w)(?P<day>{_alt(_DAY_WORDS)})(?!\w)")
_HAS_DIGIT = re.compile(r"[0-9]")
# ISO 8601 as metadata writes it (article:published_time, JSON-LD), lowercased:
# what the forms above read it as, read directly (a third of the time).
_ISO = re.compile(
    r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})[t ](?P<H>[0-9]{2}):(?P<M>[0-9]{2}):(?P<S>[0-9]{2})"
    r"(?:\.[0-9]+)?(?P<tz>z|[+-][0-9]{2}:[0-9]{2})?"
)


# --- conversion helpers -----------------------------------------------------


@lru_cache(maxsize=4096)  # a crawl sees few distinct days; jdatetime.date() costs ~10 µs
def to_gregorian(jy: int, jm: int, jd: int) -> date | None:
    """Gregorian date of a Jalali one, or None if it does not exist or the year
    is outside 1300-1500."""
    if jy not in JALALI_YEARS:
        return None
    # Imported here, not at the top: jdatetime pulls in locale, platform and
    # typing (~15 ms), which would double this module's import time.
    import jdatetime

    try:
        return jdatetime.date(jy, jm, jd).togregorian()
    except ValueError:
        return None


def _calendar_date(y: int, m: int, d: int) -> date | None:
    """The year says which calendar the numbers are in."""
    if y in JALALI_YEARS:
        return to_gregorian(y, m, d)
    if y in GREGORIAN_YEARS:
        try:
            return date(y, m, d)
        except ValueError:
            return None
    return None


def _read_date(form: str, m: re.Match) -> date | None:
    d = int(m["d"])
    if form == "fa":
        month = _FA_MONTHS.get(m["mon"])
        if month is None:  # a Gregorian month name wants a Gregorian year
            y = int(m["y"] or 0)
            return _calendar_date(y, _FA_GREGORIAN_MONTHS[m["mon"]], d) if y in GREGORIAN_YEARS else None
        if m["y"] is None:  # two digits
            y = int(m["yy"])
            return to_gregorian(y + (1400 if y < 50 else 1300), month, d)
        return to_gregorian(int(m["y"]), month, d)
    y = int(m["y"])
    if form == "ymd":
        return _calendar_date(y, int(m["m"]), d)
    if form == "dmy":
        first, second = d, int(m["m"])
        if y in GREGORIAN_YEARS and m["sep"] == "/" and first <= 12:
            first, second = second, first  # US month/day/year (Fars, nournews)
        return _calendar_date(y, second, first)
    # English month names are Gregorian only.
    return _calendar_date(y, _EN_MONTHS[m["mon"]], d) if y in GREGORIAN_YEARS else None


def _read_offset(tz: str) -> tzinfo:
    if tz in ("z", "utc", "gmt"):
        return timezone.utc
    digits = tz.lstrip("utcgm")
    sign = -1 if digits[0] == "-" else 1
    digits = digits[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]), seconds=int(digits[4:6] or 0))
    return timezone(sign * delta)  # ValueError past ±24h, caught by parse_time


def _read_clock(m: re.Match) -> tuple[int, int, int | None, tzinfo | None] | None:
    """(hour, minute, second or None, tzinfo or None), or None if impossible."""
    hour, minute = int(m["H"]), int(m["M"])
    second = int(m["S"]) if m["S"] is not None else None
    marker = m["ap"] or m["ap_before"]
    if marker and hour <= 12:
        pm = marker[0] in "بp"  # ب.ظ / بعد از ظهر / PM; the rest are AM
        hour = hour % 12 + (12 if pm else 0)  # 12 ب.ظ is noon, 12 ق.ظ midnight
    if hour > 23 or minute > 59 or (second or 0) > 59:
        return None
    return hour, minute, second, _read_offset(m["tz"]) if m["tz"] else None


def _local(naive: datetime) -> datetime:
    """Tehran wall time -> aware datetime. The UTC round trip turns a wall time
    in the spring gap into the real one zoneinfo's fold=0 offset points to, so
    `value` is always a time a Tehran clock showed."""
    return naive.replace(tzinfo=TEHRAN).astimezone(timezone.utc).astimezone(TEHRAN)


def _result(day: date, clock) -> ParsedTime:
    if clock is None:
        return ParsedTime(datetime(day.year, day.month, day.day, tzinfo=TEHRAN), False, False)
    hour, minute, second, tz = clock
    naive = datetime(day.year, day.month, day.day, hour, minute, second or 0)
    value = _local(naive) if tz is None else naive.replace(tzinfo=tz).astimezone(TEHRAN)
    return ParsedTime(value, True, second is not None)


def _clock_near(s: str, start: int, end: int):
    """Time of day written right after s[start:end], else right before it.
    Returns (found, clock); clock is None for an impossible time."""
    # Looking back a short window keeps long texts with many dates linear; the
    # lookbehind still sees past the window's start, so no time is cut in half.
    m = _TIME_AFTER.match(s, end) or _TIME_BEFORE.search(s, max(0, start - _BEFORE_WINDOW), start)
    return (False, None) if m is None else (True, _read_clock(m))


def _jalali_months_back(day: date, months: int) -> date:
    import jdatetime

    j = jdatetime.date.fromgregorian(date=day)
    year, month0 = divmod(j.year * 12 + j.month - 1 - months, 12)
    last = jdatetime.j_days_in_month[month0] + (month0 == 11 and jdatetime.date(year, 1, 1).isleap())
    return jdatetime.date(year, month0 + 1, min(j.day, last)).togregorian()


# --- parsing ----------------------------------------------------------------


def _absolute(s: str) -> ParsedTime | None:
    found = sorted(
        (
            (m.start(), -m.end(), form, m)
            for pattern, form, gate in _DATE_FORMS
            if gate is None or gate.search(s)
            for m in pattern.finditer(s)
        ),
        key=lambda c: c[:2],
    )
    first = None
    taken_to = -1
    for start, neg_end, form, m in found:
        if start < taken_to:
            continue  # overlaps a date already read (e.g. "Dec 29" inside "29 Dec 2016")
        day = _read_date(form, m)
        if day is None:
            continue
        taken_to = -neg_end
        has_clock, clock = _clock_near(s, start, -neg_end)
        if has_clock:
            if clock is None:
                return None  # a date with an impossible time (25:00) is not trusted
            return _result(day, clock)
        first = first or _result(day, None)
    return first


def _relative(s: str, now: datetime) -> ParsedTime | None:
    now = now.replace(tzinfo=TEHRAN) if now.tzinfo is None else now.astimezone(TEHRAN)
    m = _AGO.search(s)
    if m:
        n = int(m["n"]) if m["n"].isdigit() else _NUMBER_WORDS[m["n"]]
        step, months = _UNITS[m["unit"]]
        if months:
            return _result(_jalali_months_back(now.date(), n * months), None)
        if step >= timedelta(days=1):
            return _result(now.date() - n * step, None)
        # Elapsed time, so count in UTC: "3 hours ago" across a DST change is 3 real hours.
        value = (now.astimezone(timezone.utc) - n * step).astimezone(TEHRAN).replace(microsecond=0)
        with_seconds = step < timedelta(minutes=1)
        return ParsedTime(value if with_seconds else value.replace(second=0), True, with_seconds)
    m = _DAY_WORD.search(s)
    if m:
        day = now.date() - timedelta(days=_DAY_WORDS[m["day"]])
        has_clock, clock = _clock_near(s, m.start(), m.end())
        if has_clock and clock is None:
            return None
        return _result(day, clock)
    return None


def parse_time(text: str | None, *, now: datetime | None = None) -> ParsedTime | None:
    """The date and time written in `text`, or None when there is none or it is
    impossible. Relative forms ("۵ دقیقه پیش", "دیروز ۱۴:۳۰") need `now`
    (naive means Tehran wall time). Never raises."""
    if not isinstance(text, str):
        return None
    s = normalize_text(text)
    if s is None:
        return None
    if not s.isascii():
        s = to_ascii_digits(s)
    s = s.lower()  # English month names, AM/PM, T and Z in any case; Persian has no case
    try:
        iso = _ISO.fullmatch(s)
        if iso and int(iso["y"]) in GREGORIAN_YEARS:  # (a Jalali year goes the long way)
            # An impossible date or time raises ValueError, read as None below, as the long way reads it.
            day = date(int(iso["y"]), int(iso["m"]), int(iso["d"]))
            tz = _read_offset(iso["tz"]) if iso["tz"] else None
            return _result(day, (int(iso["H"]), int(iso["M"]), int(iso["S"]), tz))
        if _HAS_DIGIT.search(s):
            parsed = _absolute(s)
            if parsed is not None:
                return parsed
        return _relative(s, now) if now is not None else None
    except (ValueError, OverflowError):  # offsets past ±24h, dates past year 9999
        return None


def instant(text) -> datetime | None:
    """An exported time (ISO 8601) as an instant, comparable across offsets:
    its own offset, else (a date alone) 00:00 in Tehran; None when not a time."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=TEHRAN)
