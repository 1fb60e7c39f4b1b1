"""crawler.persian.dates: every written form from notes/sites.md §3.1, real strings from
the saved pages in ../shared/pages, rejections, and property tests.

Expected values were worked out by hand: Jalali day-of-year (months 1-6 have 31
days, 7-11 have 30) counted from 1 Farvardin (21 March, or 20 March in years
after a Gregorian leap year), plus the Tehran offset from the tz database's
rule: +04:30 from 24:00 on 1 Farvardin to 24:00 on 30 Shahrivar in DST years.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time, timedelta, timezone

import jdatetime
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.persian.dates import TEHRAN, ParsedTime, _absolute, parse_time, to_gregorian

FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

# (text, isoformat() of the result)
FORMS = [
    # 1. numeric Jalali
    ("۱۴۰۲/۰۸/۱۰", "2023-11-01"),
    ("1395/10/08", "2016-12-28"),
    ("1404-09-10 14:34", "2025-12-01T14:34:00+03:30"),
    ("۱۴۰۰/۰۹/۰۳ ۱۹:۱۱:۳۷", "2021-11-24T19:11:37+03:30"),
    ("١٤٠٠/٠٩/٠٣ ١٩:١١:٣٧", "2021-11-24T19:11:37+03:30"),  # Arabic-Indic digits
    ("۱۳۹۹/۰۲/۲۱ - ۱۸:۵۹", "2020-05-10T18:59:00+04:30"),
    ("06/04/1404 03:06:48 ب.ظ", "2025-06-27T15:06:48+03:30"),  # day first, year last
    ("11/02/1398", "2019-05-01"),
    ("۱۴۰۲/۸/۱۰", "2023-11-01"),
    # 2. day, Persian month name, year, separator, time
    ("۰۹ دی ۱۳۹۵ - ۱۸:۳۳", "2016-12-29T18:33:00+03:30"),
    ("۱۰ آبان ۱۴۰۲، ۱۴:۳۰", "2023-11-01T14:30:00+03:30"),
    ("۹ خرداد ۱۳۹۸ / ۰۰:۲۰", "2019-05-30T00:20:00+04:30"),
    ("10 آذر 04 - 14:15", "2025-12-01T14:15:00+03:30"),  # two-digit year < 50
    ("۹ دی ۹۵ - ۱۸:۳۳", "2016-12-29T18:33:00+03:30"),  # two-digit year >= 50
    ("۹ دی ۱۳۹۵ | ۱۸:۳۳", "2016-12-29T18:33:00+03:30"),
    ("۹ دی ۱۳۹۵", "2016-12-29"),
    ("۹ دی ماه ۱۳۹۵", "2016-12-29"),
    ("۹ دى ۱۳۹۵", "2016-12-29"),  # Arabic yeh
    ("۳۰ ارديبهشت ۱۳۹۸", "2019-05-20"),  # Arabic yeh
    ("۱ تير ۱۴۰۲", "2023-06-22"),  # Arabic yeh
    ("۳۰ اسفند ۱۴۰۳", "2025-03-20"),  # 1403 is leap
    # 3. weekday, ساعت, time first
    ("پنجشنبه ۹ دی ۱۳۹۵ ساعت ۱۹:۵۸", "2016-12-29T19:58:00+03:30"),
    ("پنجشنبه، ۹ دی ۱۳۹۵، ساعت ۱۸:۵۰ — تسنیم", "2016-12-29T18:50:00+03:30"),
    ("پنجشنبه 9 دی 1395 - 12:45:29", "2016-12-29T12:45:29+03:30"),
    ("شنبه ۱۰ آبان ۱۴۰۲ - ۱۴:۳۰", "2023-11-01T14:30:00+03:30"),
    ("ساعت ۱۸:۵۰ - ۹ دی ۱۳۹۵", "2016-12-29T18:50:00+03:30"),
    ("۱۸:۵۰ - ۱۳۹۵/۱۰/۰۹", "2016-12-29T18:50:00+03:30"),
    ("پنجشنبه 9 دى 1395 ساعت 19:48 2016-12-29 19:48:23", "2016-12-29T19:48:00+03:30"),  # Drupal 2016
    # 4. labels and noise
    ("تاریخ انتشار: ۰۹ دی ۱۳۹۵ - ۱۸:۳۳", "2016-12-29T18:33:00+03:30"),
    ("تاریخ انتشار : پنجشنبه ۹ دی ۱۳۹۵ ساعت ۱۹:۵۸", "2016-12-29T19:58:00+03:30"),
    ("تاریخ: ۱۴۰۲/۰۸/۱۰", "2023-11-01"),
    ("انتشار: ۱۰ آبان ۱۴۰۲، ۱۴:۳۰", "2023-11-01T14:30:00+03:30"),
    ("به‌روزرسانی: ۱۰ آبان ۱۴۰۲ - ۱۴:۳۰", "2023-11-01T14:30:00+03:30"),
    ("کد خبر: 123 | ۹ دی ۱۳۹۵ - ۱۸:۳۳", "2016-12-29T18:33:00+03:30"),
    ("کد خبر: ۵۲۳۹۹۵ | تاریخ انتشار: ۰۹ دی ۱۳۹۵", "2016-12-29"),
    ("کد خبر: 52399 دی 1395 ۹ دی ۱۳۹۵", "2016-12-29"),  # "99 دی" is the tail of a code
    ("\u200f۹ دی ۱۳۹۵ - ۱۸:۳۳\u200e", "2016-12-29T18:33:00+03:30"),  # RLM/LRM
    ("۹ دی ۱۳۹۵ ۱۸:۳۳ تلفن: +982188776655", "2016-12-29T18:33:00+03:30"),  # a phone is no offset
    ("۹ دی ۱۳۹۵ ۱۸:۳۳ +982188776655", "2016-12-29T18:33:00+03:30"),
    # 5. AM/PM
    ("۱۴۰۲/۰۸/۱۰ ۱۲:۰۵ ب.ظ", "2023-11-01T12:05:00+03:30"),
    ("۱۴۰۲/۰۸/۱۰ ۱۲:۰۵ ق.ظ", "2023-11-01T00:05:00+03:30"),
    ("۱۴۰۲/۰۸/۱۰ ۰۹:۰۵ ق ظ", "2023-11-01T09:05:00+03:30"),
    ("۱۴۰۲/۰۸/۱۰ ۰۹:۰۵ ب ظ", "2023-11-01T21:05:00+03:30"),
    ("۱۴۰۲/۰۸/۱۰ ۰۹:۰۵ قبل از ظهر", "2023-11-01T09:05:00+03:30"),
    ("۱۴۰۲/۰۸/۱۰ ۰۹:۰۵ بعد از ظهر", "2023-11-01T21:05:00+03:30"),
    ("۱۳۹۹/۰۵/۱۲ ب.ظ ۰۴:۲۵:۱۲", "2020-08-02T16:25:12+04:30"),  # the marker first (.NET's fa-IR)
    ("ق.ظ ۰۹:۰۵ - ۱۴۰۲/۰۸/۱۰", "2023-11-01T09:05:00+03:30"),
    ("Islam 12:30 2023-12-17", "2023-12-17T12:30:00+03:30"),  # "am" ending a word is no marker
    ("12/29/2016 12:00:00 AM", "2016-12-29T00:00:00+03:30"),
    ("12/29/2016 12:30:00 PM", "2016-12-29T12:30:00+03:30"),
    ("17 Dec 2023 10:32 pm", "2023-12-17T22:32:00+03:30"),
    ("December 17, 2023 at 10:32 P.M.", "2023-12-17T22:32:00+03:30"),
    # 6. separators
    ("۹ دی ۱۳۹۵ – ۱۸:۳۳", "2016-12-29T18:33:00+03:30"),
    ("۹ دی ۱۳۹۵ — ۱۸:۳۳", "2016-12-29T18:33:00+03:30"),
    ("۹ دی ۱۳۹۵, ۱۸:۳۳", "2016-12-29T18:33:00+03:30"),
    ("۹ دی ۱۳۹۵ ۱۸:۳۳", "2016-12-29T18:33:00+03:30"),
    ("۹ دی ۱۳۹۵ ساعت: ۱۸:۳۳", "2016-12-29T18:33:00+03:30"),
    ("۱۳۹۵/۱۰/۰۹ | ۱۸:۳۳", "2016-12-29T18:33:00+03:30"),
    # 7. ISO 8601
    ("2026-07-29T08:28:50Z", "2026-07-29T11:58:50+03:30"),
    ("2019-05-29T19:50:37+04:30", "2019-05-29T19:50:37+04:30"),
    ("2019-05-29T15:20:37Z", "2019-05-29T19:50:37+04:30"),
    ("2021-11-24T19:11:37.123+03:30", "2021-11-24T19:11:37+03:30"),
    ("2019-05-01T19:04:00.0000000", "2019-05-01T19:04:00+04:30"),  # no offset: Tehran
    ("2023-12-17", "2023-12-17"),
    ("2023-12-17 10:00:00", "2023-12-17T10:00:00+03:30"),
    ("2023-12-17T10:00:00-05:00", "2023-12-17T18:30:00+03:30"),
    ("Thu, 29 Dec 2016 15:03:00 GMT", "2016-12-29T18:33:00+03:30"),  # RSS pubDate
    ("Thu, 29 Dec 2016 18:33:00 +0330", "2016-12-29T18:33:00+03:30"),
    # 8. other Gregorian forms
    ("29 December 2016", "2016-12-29"),
    ("Dec 29, 2016", "2016-12-29"),
    ("December 29, 2016 - 18:33", "2016-12-29T18:33:00+03:30"),
    ("17 Dec 2023 10:32", "2023-12-17T10:32:00+03:30"),
    ("Sept. 3, 2019", "2019-09-03"),
    ("29.12.2016", "2016-12-29"),
    ("18:33 29.12.2016", "2016-12-29T18:33:00+03:30"),
    ("29-12-2016", "2016-12-29"),
    ("5/20/2019 6:23:00 PM", "2019-05-20T18:23:00+04:30"),
    ("5/20/2019", "2019-05-20"),
    ("1/2/2020", "2020-01-02"),  # month first
    ("20/5/2019", "2019-05-20"),  # first number > 12: day first
    ("2023/12/17", "2023-12-17"),
    # 9. Jalali text in an ISO-meant field
    ("1399-02-21T18:59:00", "2020-05-10T18:59:00+04:30"),
    ("1399-02-21T18:59:00+04:30", "2020-05-10T18:59:00+04:30"),
    # Tehran offsets from the tz database. DST began at 24:00 on 1 Farvardin, so
    # 1 Farvardin itself is +03:30 even in DST years; 2 Farvardin is +04:30.
    ("1401/01/01 12:00", "2022-03-21T12:00:00+03:30"),
    ("1401/01/02 12:00", "2022-03-22T12:00:00+04:30"),
    ("1401/01/02 00:30", "2022-03-22T01:30:00+04:30"),  # spring gap: fold=0 offset, shown as the real time
    ("1401/06/30 22:59", "2022-09-21T22:59:00+04:30"),
    ("1401/06/30 23:30", "2022-09-21T23:30:00+04:30"),  # repeated hour: first (DST) reading
    ("1401/06/31 00:30", "2022-09-22T00:30:00+03:30"),
    ("1402/01/01 12:00", "2023-03-21T12:00:00+03:30"),
    ("1402/01/02 12:00", "2023-03-22T12:00:00+03:30"),  # no DST from 2023 on
    ("1380/05/01 12:00", "2001-07-23T12:00:00+04:30"),
    ("1384/04/01 12:00", "2005-06-22T12:00:00+04:30"),
    ("1385/05/01 12:00", "2006-07-23T12:00:00+03:30"),  # no DST in 2006-2007
    ("1386/05/01 12:00", "2007-07-23T12:00:00+03:30"),
    ("1387/05/01 12:00", "2008-07-22T12:00:00+04:30"),
    # 10. the month-name orders, with a weekday before or after and a comma.
    # 16 Tir 1397: day 3*31+16 = 109 from 21 March 2018, a Saturday (شنبه).
    ("۱۳۹۷ تیر ۱۶, شنبه", "2018-07-07"),  # DW Persian: year month day, weekday
    ("۱۳۹۷ تیر ۱۶, شنبه - ۱۴:۳۰", "2018-07-07T14:30:00+04:30"),
    ("شنبه ۱۳۹۷ تیر ۱۶", "2018-07-07"),
    ("۱۳۹۷ تیر ۱۶", "2018-07-07"),
    ("شنبه، ۱۶ تیر ۱۳۹۷", "2018-07-07"),
    ("۱۶ تیر ۱۳۹۷، شنبه", "2018-07-07"),
    ("۱۶ تیر، ۱۳۹۷", "2018-07-07"),
    ("تیر ۱۶، ۱۳۹۷", "2018-07-07"),  # month day year
    ("شنبه تیر ۱۶, ۱۳۹۷", "2018-07-07"),
    ("تیر ۱۶، ۱۳۹۷، شنبه ساعت ۱۴:۳۰", "2018-07-07T14:30:00+04:30"),
    ("۱۶ تیرماه ۱۳۹۷", "2018-07-07"),
    ("۱۶ تیر\u200cماه ۱۳۹۷", "2018-07-07"),
    # 11. month-name spellings: each a month of its own, so a wrong number fails
    ("۱۰ اذر ۱۴۰۲", "2023-12-01"),  # 10 Aban 1402 is 1 Nov, plus Aban's 30 days
    ("۱۰ ابان ۱۴۰۲", "2023-11-01"),
    ("۱۰ امرداد ۱۴۰۲", "2023-08-01"),  # day 4*31+10 = 134 from 21 March 2023
    ("۱۲ شهريور ۱۳۹۹", "2020-09-02"),  # Arabic yeh; day 5*31+12 = 167 from 20 March 2020
    ("۱ فروردين ۱۴۰۴", "2025-03-21"),
    ("يكشنبه ۱۰ ارديبهشت ۱۴۰۲ ساعت ۱۰:۰۰", "2023-04-30T10:00:00+03:30"),  # Arabic kaf and yeh; a Sunday
    # 12. Gregorian months written in Persian, with a Gregorian year only
    ("۱۷ دسامبر ۲۰۲۳", "2023-12-17"),
    ("۱۷ اكتبر ۲۰۲۳", "2023-10-17"),  # Arabic kaf
    ("۱۷ مه ۲۰۲۳", "2023-05-17"),
    ("می ۱۷، ۲۰۲۳", "2023-05-17"),
    ("۵ ژوئیه ۲۰۲۱", "2021-07-05"),
    ("۲ اوت ۲۰۲۰ - ۱۴:۳۰", "2020-08-02T14:30:00+04:30"),
    # 13. words between a date and its time do not drop the time
    ("۱۶ تیر ۱۳۹۷ - ساعت ۱۴:۳۰", "2018-07-07T14:30:00+04:30"),
    ("۱۶ تیر ۱۳۹۷ در ساعت ۱۴:۳۰", "2018-07-07T14:30:00+04:30"),
    ("۱۳۹۷/۰۴/۱۶ در ساعت ۱۴:۳۰", "2018-07-07T14:30:00+04:30"),
    ("۱۶ تیر ۱۳۹۷، شنبه، ساعت ۱۴:۳۰", "2018-07-07T14:30:00+04:30"),
    ("۱۶ تیر ۱۳۹۷ زمان انتشار: ۱۴:۳۰", "2018-07-07T14:30:00+04:30"),
    ("۱۶ تیر ۱۳۹۷ ساعت ۰۲:۳۰:۱۵ ب.ظ", "2018-07-07T14:30:15+04:30"),
    # ...but an update time is not the publication's, and a clock printed
    # before a weekday and a date is a page header's (today's date and the time)
    ("۱۶ تیر ۱۳۹۷ - به\u200cروزرسانی: ۱۸:۳۰", "2018-07-07"),
    ("۱۴:۳۰ - شنبه ۱۶ تیر ۱۳۹۷", "2018-07-07"),
    # 14. a date after the tail of a news code is still read
    ("کد خبر: 1608590/13 - 1398/02/11", "2019-05-01"),
]


@pytest.mark.parametrize("text,expected", FORMS, ids=[f"{i}:{t[:24]}" for i, (t, _) in enumerate(FORMS)])
def test_forms(text, expected):
    parsed = parse_time(text)
    assert parsed is not None
    assert parsed.isoformat() == expected
    assert parsed.value.tzinfo is TEHRAN
    assert parsed.has_time == ("T" in expected)


NOW = datetime(2023, 11, 1, 14, 30, 27, tzinfo=TEHRAN)  # 10 Aban 1402
FARVARDIN_1_1404 = datetime(2025, 3, 21, 12, 0, tzinfo=TEHRAN)
ESFAND_30_1403 = datetime(2025, 3, 20, 12, 0, tzinfo=TEHRAN)

RELATIVE = [
    ("۵ دقیقه پیش", NOW, "2023-11-01T14:25:00+03:30"),
    ("۲ ساعت پیش", NOW, "2023-11-01T12:30:00+03:30"),
    ("3 روز قبل", NOW, "2023-10-29"),
    ("یک ساعت پیش", NOW, "2023-11-01T13:30:00+03:30"),
    ("يك ساعت پيش", NOW, "2023-11-01T13:30:00+03:30"),  # Arabic kaf and yeh
    ("دوازده ساعت پیش", NOW, "2023-11-01T02:30:00+03:30"),
    ("۳۰ ثانیه پیش", NOW, "2023-11-01T14:29:57+03:30"),
    ("دو هفته پیش", NOW, "2023-10-18"),
    ("۲ ماه پیش", NOW, "2023-09-01"),  # 10 Shahrivar 1402
    ("یک سال پیش", NOW, "2022-11-01"),  # 10 Aban 1401
    ("دیروز ۱۴:۳۰", NOW, "2023-10-31T14:30:00+03:30"),
    ("امروز ۰۹:۱۵", NOW, "2023-11-01T09:15:00+03:30"),
    ("امروز ساعت ۰۹:۱۵", NOW, "2023-11-01T09:15:00+03:30"),
    ("دیروز", NOW, "2023-10-31"),
    ("۲ ساعت پیش", datetime(2023, 11, 1, 11, 0, 27, tzinfo=timezone.utc), "2023-11-01T12:30:00+03:30"),
    ("۲ ساعت پیش", datetime(2023, 11, 1, 14, 30), "2023-11-01T12:30:00+03:30"),  # naive now: Tehran
    # Elapsed time across the autumn change: 01:00 (+03:30) minus 3 h is 23:00 at +04:30.
    ("۳ ساعت پیش", datetime(2022, 9, 22, 1, 0, tzinfo=TEHRAN), "2022-09-21T23:00:00+04:30"),
    # Month ends and a leap Esfand (1403 has 30 Esfand = 20 March 2025; 1402 and 1401 have 29).
    ("پریروز", FARVARDIN_1_1404, "2025-03-19"),  # 29 Esfand 1403
    ("دیروز", FARVARDIN_1_1404, "2025-03-20"),  # 30 Esfand 1403, the leap day
    ("۱ ماه پیش", FARVARDIN_1_1404, "2025-02-19"),  # 1 Esfand 1403
    ("پریروز", ESFAND_30_1403, "2025-03-18"),
    ("۱ ماه پیش", ESFAND_30_1403, "2025-02-18"),  # 30 Bahman 1403
    ("۱۲ ماه پیش", ESFAND_30_1403, "2024-03-19"),  # 30 Esfand 1402 does not exist: its last day, 29
    ("یک سال پیش", ESFAND_30_1403, "2024-03-19"),
    ("۱ ماه پیش", datetime(2025, 4, 20, 9, 0, tzinfo=TEHRAN), "2025-03-20"),  # 31 Farvardin 1404 -> 30 Esfand 1403
    ("۱ ماه پیش", datetime(2024, 4, 19, 9, 0, tzinfo=TEHRAN), "2024-03-19"),  # 31 Farvardin 1403 -> 29 Esfand 1402
    ("۷ ماه پیش", datetime(2023, 10, 22, 9, 0, tzinfo=TEHRAN), "2023-03-20"),  # 30 Mehr 1402 -> 29 Esfand 1401
    ("۱ ماه پیش", datetime(2023, 9, 22, 9, 0, tzinfo=TEHRAN), "2023-08-22"),  # 31 Shahrivar -> 31 Mordad 1402
    ("۱ ماه پیش", datetime(2023, 10, 22, 9, 0, tzinfo=TEHRAN), "2023-09-21"),  # 30 Mehr -> 30 Shahrivar 1402
    ("پریروز ساعت ۱۰:۱۵", datetime(2023, 9, 23, 9, 0, tzinfo=TEHRAN), "2023-09-21T10:15:00+03:30"),  # 1 Mehr -> 30 Shahrivar
    ("پریروز ۲۳:۳۰", datetime(2022, 9, 23, 9, 0, tzinfo=TEHRAN), "2022-09-21T23:30:00+04:30"),  # the repeated hour: DST reading
]


@pytest.mark.parametrize("text,now,expected", RELATIVE, ids=[f"{i}:{t}" for i, (t, _, _) in enumerate(RELATIVE)])
def test_relative(text, now, expected):
    parsed = parse_time(text, now=now)
    assert parsed is not None
    assert parsed.isoformat() == expected


@pytest.mark.parametrize("text", ["۵ دقیقه پیش", "دیروز ۱۴:۳۰", "امروز ۰۹:۱۵", "یک ساعت پیش"])
def test_relative_needs_now(text):
    assert parse_time(text) is None


def test_absolute_date_beats_relative_words():
    assert parse_time("۱ ساعت قبل ۹ دی ۱۳۹۵ - ۱۸:۳۳", now=NOW).isoformat() == "2016-12-29T18:33:00+03:30"


REJECTED = [
    None,
    "",
    "   ",
    "سلام دنیا",
    "hello world",
    "۳۱ اسفند ۱۴۰۱",  # Esfand never has 31 days
    "۳۰ اسفند ۱۴۰۱",  # 1401 is not leap
    "13/45/1400",
    "کد خبر: 523995",
    "کد خبر: ۵۲۳۹۹۵",
    "1400/13/01",
    "1400/07/31",  # Mehr has 30 days
    "1299/12/29",  # Jalali year below 1300
    "1501/01/01",
    "1989-12-31",  # Gregorian year below 1990
    "2101-01-01",
    "2023-02-29",
    "۱۴۰۲/۰۸/۱۰ ۲۵:۰۰",
    "۱۴۰۲/۰۸/۱۰ ۱۲:۶۰",
    "2019-05-29T19:50:37+25:00",
    "پنجشنبه 19 ارديبهشت",  # no year (varzesh3 header)
    "۱۰ آبان ۱۸:۳۰",  # "18" is the hour, not a year
    "۱۸:۳۳",
    "Dec 29, 1395",  # English month, Jalali year
    "۹ دی ۲۰۱۶",  # Persian month, Gregorian year
    "تلفن: 021-88123456",
    "0912-345-6789",
    "قیمت: 12.500.000 ریال",
    "نتیجه 2 بر 1",
    "۱۷ دسامبر ۱۴۰۲",  # Gregorian month, Jalali year
    "۱۰ دی، ۹۵",  # a two-digit "year" after a comma is a count, not a year
    # a date's numbers inside a longer slash-separated number (a news code)
    "1608590/13",
    "کد خبر: 1608590/13/05",
    "12/1608590/13",
    "1608590/13 تیر 1397",
    "1398/02/11/5",
    "7/1398/02/11",
]


@pytest.mark.parametrize("text", REJECTED, ids=[repr(t)[:24] for t in REJECTED])
def test_rejected(text):
    assert parse_time(text) is None
    assert parse_time(text, now=NOW) is None


def test_prefers_a_date_with_a_time():
    text = "Mon December 25, 2023 Americans gradually packing bags December 17, 2023 - 22:36"
    assert parse_time(text).isoformat() == "2023-12-17T22:36:00+03:30"


@pytest.mark.parametrize("pad", range(30))
def test_time_before_a_date_is_read_whole_or_not_at_all(pad):
    parsed = parse_time("12:45:29" + " -" * pad + " ۹ دی ۱۳۹۵")
    assert parsed.isoformat() in ("2016-12-29T12:45:29+03:30", "2016-12-29")


def test_many_dates_in_a_long_text():
    text = "۹ دی ۱۳۹۵ " * 2000 + "۱۰ دی ۱۳۹۵ - ۱۸:۳۳"
    assert parse_time(text).isoformat() == "2016-12-30T18:33:00+03:30"


def test_isoformat_shapes():
    assert ParsedTime(datetime(2021, 11, 24, 19, 11, tzinfo=TEHRAN), True, False).isoformat() == "2021-11-24T19:11:00+03:30"
    assert ParsedTime(datetime(2021, 11, 24, tzinfo=TEHRAN), False, False).isoformat() == "2021-11-24"
    parsed = parse_time("۱۴۰۰/۰۹/۰۳ ۱۹:۱۱")
    assert (parsed.has_time, parsed.has_seconds) == (True, False)
    parsed = parse_time("۱۴۰۰/۰۹/۰۳ ۱۹:۱۱:۳۷")
    assert (parsed.has_time, parsed.has_seconds) == (True, True)
    with pytest.raises(AttributeError):
        parsed.has_time = False  # frozen


def test_to_gregorian():
    assert to_gregorian(1403, 12, 30) == date(2025, 3, 20)
    assert to_gregorian(1401, 12, 30) is None
    assert to_gregorian(1299, 1, 1) is None


# --- real strings from the saved pages ------------------------------------------

_TAG = re.compile(r"<[^>]+>")

# (page, the string as the page shows it, now for relative strings, isoformat())
REAL = [
    # ISNA: .text-meta (with the .title-meta weekday before it), the meta tags, a listing <time>
    ("isna.ir/news-98030903723.html", "۹ خرداد ۱۳۹۸ / ۰۰:۲۰", None, "2019-05-30T00:20:00+04:30"),
    ("isna.ir/news-98030903723.html", "پنجشنبه / ۹ خرداد ۱۳۹۸ / ۰۰:۲۰", None, "2019-05-30T00:20:00+04:30"),
    ("isna.ir/news-98030903723.html", "2019-05-29T19:50:37Z", None, "2019-05-30T00:20:37+04:30"),
    ("isna.ir/news-98030903723.html", "2019-05-29T20:24:30Z", None, "2019-05-30T00:54:30+04:30"),
    ("isna.ir/news-98030903723.html", "2019-05-30 00:20:37.883", None, "2019-05-30T00:20:37+04:30"),
    ("isna.ir/news-98030903723.html", "پنجشنبه ۹ خرداد ۱۳۹۸ - ۰۶:۵۸", None, "2019-05-30T06:58:00+04:30"),
    (
        "isna.ir/news-98030903723.html",
        "۱ ساعت قبل",
        datetime(2019, 5, 30, 6, 40, tzinfo=TEHRAN),
        "2019-05-30T05:40:00+04:30",
    ),
    # Tasnim: li.time (Arabic yeh in the month name) and ld+json datePublished
    ("tasnimnews.com/news-1398-02-30-2015910.html", "۳۰ ارديبهشت ۱۳۹۸ - ۲۲:۵۳", None, "2019-05-20T22:53:00+04:30"),
    ("tasnimnews.com/news-1398-02-30-2015910.html", "2019-05-20T18:23:00.0000000Z", None, "2019-05-20T22:53:00+04:30"),
    # varzesh3: og times without offset, the news-info line (news code first), og:title
    ("varzesh3.com/news-1608590.html", "2019-05-01T15:54:40.8500000", None, "2019-05-01T15:54:40+04:30"),
    ("varzesh3.com/news-1608590.html", "2019-05-01T19:04:00.0000000", None, "2019-05-01T19:04:00+04:30"),
    (
        "varzesh3.com/news-1608590.html",
        "کد خبر: 1608590/13 زمان: 19:04 \xa0 1398/02/11 بازدید: 171,473",
        None,
        "2019-05-01T19:04:00+04:30",
    ),
    (
        "varzesh3.com/news-1608590.html",
        "گزارش زنده؛ تراکتورسازی 0- پرسپولیس 0 - لیگ برتر - 11/02/1398",
        None,
        "2019-05-01",
    ),
    # Tehran Times (English, Nastooh): .item-date, meta, header date
    ("tehrantimes.com/news-492621-EN.html", "December 17, 2023 - 22:36", None, "2023-12-17T22:36:00+03:30"),
    ("tehrantimes.com/news-492621-EN.html", "2023-12-17T19:06:22Z", None, "2023-12-17T22:36:22+03:30"),
    ("tehrantimes.com/news-492621-EN.html", "Mon December 25, 2023", None, "2023-12-25"),
    # YJC's header bar: the clock written "minutes : hours" before today's date is no time of day
    ("yjc.ir/news-6919119-reserialized.html", "۲۸ : ۱۹ - جمعه ۲۷ ارديبهشت ۱۳۹۸", None, "2019-05-17"),
]


def _page_text(path) -> str:
    raw = path.read_text(encoding="utf-8")
    return " ".join(html.unescape(_TAG.sub(" ", raw)).split())


@pytest.mark.parametrize("page,raw,now,expected", REAL, ids=[f"{p.split('/')[0]}:{r[:20]}" for p, r, _, _ in REAL])
def test_real_page_strings(shared, page, raw, now, expected):
    page_text = _page_text(shared / "pages" / page)
    assert " ".join(raw.split()) in page_text or raw in (shared / "pages" / page).read_text(encoding="utf-8")
    parsed = parse_time(raw, now=now)
    assert parsed is not None
    assert parsed.isoformat() == expected


def test_page_without_year_is_not_guessed(shared):
    raw = "پنجشنبه 19 ارديبهشت"
    assert raw in (shared / "pages" / "varzesh3.com/news-1608590.html").read_text(encoding="utf-8")
    assert parse_time(raw) is None


# --- properties -------------------------------------------------------------------


def _jalali_month_length(y: int, m: int) -> int:
    if m <= 6:
        return 31
    if m <= 11:
        return 30
    return 30 if jdatetime.date(y, 1, 1).isleap() else 29


@st.composite
def jalali_wall_times(draw, first=1300, last=1450):
    y = draw(st.integers(first, last))
    m = draw(st.integers(1, 12))
    d = draw(st.integers(1, _jalali_month_length(y, m)))
    clock = draw(st.times())
    return y, m, d, clock.replace(microsecond=0, fold=0)


def _exists(wall: datetime) -> bool:
    """True unless `wall` falls in a spring-forward gap in Tehran."""
    back = wall.replace(tzinfo=TEHRAN).astimezone(timezone.utc).astimezone(TEHRAN)
    return back.replace(tzinfo=None) == wall


@settings(max_examples=300)
@given(jalali_wall_times(), st.sampled_from([None, FA_DIGITS, AR_DIGITS]))
def test_jalali_numeric_round_trip(jwall, digits):
    y, m, d, clock = jwall
    text = f"{y:04d}/{m:02d}/{d:02d} {clock:%H:%M:%S}"
    if digits:
        text = text.translate(digits)
    parsed = parse_time(text)
    assert parsed is not None and parsed.has_time and parsed.has_seconds
    wall = datetime.combine(jdatetime.date(y, m, d).togregorian(), clock)
    if _exists(wall):
        assert parsed.value.replace(tzinfo=None) == wall
    else:  # a gap: the instant zoneinfo gives with fold=0, shown as the real wall time
        assert parsed.value.timestamp() == wall.replace(tzinfo=TEHRAN).timestamp()
        jump = parsed.value.utcoffset() - wall.replace(tzinfo=TEHRAN).utcoffset()
        assert parsed.value.replace(tzinfo=None) - wall == jump
    assert parsed.value.utcoffset() == TEHRAN.utcoffset(parsed.value)


# Wall times around Iran's DST changes: (month, day, hour, minute)
DST_EDGES = [
    (1, 1, 0, 0), (1, 1, 12, 0), (1, 1, 23, 59),  # 1 Farvardin: still standard time
    (1, 2, 0, 0), (1, 2, 0, 30), (1, 2, 0, 59),  # 2 Farvardin 00:xx: the gap in DST years
    (1, 2, 1, 0), (1, 2, 12, 0), (3, 15, 12, 0),
    (6, 30, 12, 0), (6, 30, 22, 59), (6, 30, 23, 0), (6, 30, 23, 59),  # 23:xx repeats
    (6, 31, 0, 0), (6, 31, 12, 0), (7, 1, 12, 0),
]  # fmt: skip


def _expected_offset(y, m, d, hour):
    dst_year = y <= 1401 and y not in (1385, 1386)
    in_window = (m, d) != (1, 1) and (m < 6 or (m == 6 and d <= 30))
    return timedelta(hours=4, minutes=30) if dst_year and in_window else timedelta(hours=3, minutes=30)


def _check_edge(y, m, d, hour, minute):
    parsed = parse_time(f"{y}/{m:02d}/{d:02d} {hour:02d}:{minute:02d}")
    assert parsed is not None
    wall = datetime.combine(jdatetime.date(y, m, d).togregorian(), time(hour, minute))
    assert parsed.value.utcoffset() == _expected_offset(y, m, d, hour)
    if _exists(wall):
        assert parsed.value.utcoffset() == TEHRAN.utcoffset(wall)
        assert parsed.value.replace(tzinfo=None) == wall
    else:
        assert (m, d, hour) == (1, 2, 0)
        assert parsed.value.timestamp() == wall.replace(tzinfo=TEHRAN).timestamp()
    # ...and the written offset reads back to the same instant
    again = parse_time(parsed.isoformat())
    assert again.value == parsed.value and again.value.utcoffset() == parsed.value.utcoffset()


@pytest.mark.parametrize("y", range(1380, 1406))
def test_dst_edges_every_year(y):
    for m, d, hour, minute in DST_EDGES:
        _check_edge(y, m, d, hour, minute)


@given(
    st.integers(1380, 1405),
    st.sampled_from([(1, 1), (1, 2), (6, 30), (6, 31)]),
    st.integers(0, 23),
    st.integers(0, 59),
)
def test_dst_edge_days(y, md, hour, minute):
    _check_edge(y, *md, hour, minute)


EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
FA_MONTHS = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"]


@st.composite
def written_times(draw):
    """A time of day written in one of the supported forms, dated so that its
    Gregorian year stays inside 1990-2100 (the window ISO output is read in)."""
    moment = draw(st.datetimes(datetime(1990, 1, 2), datetime(2100, 12, 30))).replace(microsecond=0)
    j = jdatetime.datetime.fromgregorian(datetime=moment)
    hm, hms = f"{moment:%H:%M}", f"{moment:%H:%M:%S}"
    hour12 = f"{moment.hour % 12 or 12}:{moment:%M:%S} {'PM' if moment.hour >= 12 else 'AM'}"
    forms = [
        f"{j.year}/{j.month:02d}/{j.day:02d} {hms}",
        f"{j.day} {FA_MONTHS[j.month - 1]} {j.year} - {hm}".translate(FA_DIGITS),
        f"{moment:%Y-%m-%dT%H:%M:%S}Z",
        f"{moment:%Y-%m-%dT%H:%M:%S}{draw(st.sampled_from(['+04:30', '+03:30', '-05:00', '+00:00']))}",
        f"{moment:%Y-%m-%d %H:%M:%S}",
        f"{EN_MONTHS[moment.month - 1]} {moment.day}, {moment.year} - {hm}",
        f"{moment.month}/{moment.day}/{moment.year} {hour12}",
    ]
    return draw(st.sampled_from(forms))


@settings(max_examples=300)
@given(written_times())
def test_isoformat_reads_back(text):
    parsed = parse_time(text)
    assert parsed is not None and parsed.has_time
    again = parse_time(parsed.isoformat())
    assert again is not None
    assert again.value == parsed.value
    assert again.value.utcoffset() == parsed.value.utcoffset()
    assert again.isoformat() == parsed.isoformat()


DATEISH = "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩0123456789/-.:T Z+،,|—–ساعتپیشقبلدیروزامروزبظق" + "".join(FA_MONTHS[:3]) + "PMDec"


@settings(max_examples=500)
@given(st.one_of(st.text(), st.text(alphabet=DATEISH, max_size=40)), st.booleans())
def test_never_raises(text, with_now):
    result = parse_time(text, now=NOW if with_now else None)
    assert result is None or isinstance(result, ParsedTime)
    if result is not None and result.has_time:
        assert result.value.tzinfo is TEHRAN


@st.composite
def iso_times(draw):
    """ISO 8601 times as metadata writes them, possible or not (month 13, 30
    February, hour 24, an offset past a day, a Jalali year)."""
    n = lambda lo, hi, width: f"{draw(st.integers(lo, hi)):0{width}d}"  # noqa: E731
    year = draw(st.sampled_from(["1402", "1989", "1990", "2023", "2100", "2101"]))
    text = f"{year}-{n(0, 13, 2)}-{n(0, 32, 2)}{draw(st.sampled_from('Tt '))}{n(0, 25, 2)}:{n(0, 60, 2)}:{n(0, 60, 2)}"
    text += draw(st.sampled_from(["", ".000", ".1234567"]))
    return text + draw(st.sampled_from(["", "Z", "z", "+04:30", "-05:00", "+00:00", "+24:00", "+25:30"]))


@settings(max_examples=1000)
@given(iso_times())
def test_iso_times_read_as_the_long_way_reads_them(text):
    """parse_time reads the ISO form directly; the result is what the general
    forms make of it, an impossible value included (None)."""
    try:
        long_way = _absolute(text.lower())
    except ValueError:
        long_way = None
    fast = parse_time(text)
    assert fast == long_way
    assert fast is None or (fast.isoformat(), fast.value.tzinfo) == (long_way.isoformat(), long_way.value.tzinfo)
