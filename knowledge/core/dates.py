"""Deadlines as enterprises write them: 11月24日前, 下周五, 还有10天, 5个工作日内, 2026-12-01,
没有期限.

Times are China time (UTC+8, no daylight saving), the time the enterprises and the centre
live in, whatever the server's clock zone is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Optional, Text

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")

# “没有”, also with who set none (对方没给期限, 法院没说).
NO_DEADLINE = re.compile(
    r"^(对方|对面|他们|法院|海关|平台|律师)?(也)?(没有|没|无|暂无|暂时没有|还没有|不清楚|不知道|不确定|说不好|未知|不详|没说|没给)"
)
DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}

FULL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
MONTH_DAY = re.compile(
    r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日号號]?"
)
# A day of the month without the month: “15号”, “下个月15号”, “本月20日”.
DAY_OF_MONTH = re.compile(r"(下个?月|本月|这个?月)?\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*[号號]")
SLASH_MONTH_DAY = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?![\d/])")
IN_DAYS = re.compile(r"(\d{1,3}|[零一二两三四五六七八九十百]{1,4})\s*(?:个)?\s*(工作日|天|日|周|星期|礼拜|个月|月)")
# None set, said inside a sentence (函里没写期限, 通知上没有说什么时候).
NO_DEADLINE_SAID = re.compile(
    r"没有?(写|说|提|给|定|规定|要求|注明|写明|限定|讲)\S{0,3}(期限|时间|日期|截止|什么时候|多久)|没有(期限|截止)"
)
WEEKDAY = re.compile(r"(下下|下个?|这个?|本)?\s*(?:周|星期|礼拜)([一二三四五六日天末])")
RELATIVE_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}


@dataclass(frozen=True)
class Deadline:
    """What a deadline answer meant: a date, or explicitly none."""

    day: Optional[date]

    @property
    def none_given(self) -> bool:
        return self.day is None

    def is_past(self, today: date) -> bool:
        return self.day is not None and self.day < today


def utc_now() -> datetime:
    """Now in UTC, naive, as every timestamp is stored."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def today_in_china(now: Optional[datetime] = None) -> date:
    """Today's date in China."""
    return (now or datetime.now(timezone.utc)).astimezone(CHINA).date()


def china_time(moment: datetime) -> Text:
    """A stored UTC time (naive) as China time: “2026-11-24 21:05”."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return f"{aware.astimezone(CHINA):%Y-%m-%d %H:%M}"


def chinese_number(text: Text) -> Optional[int]:
    """3, 十, 十五, 二十, 两, 一百 as an int (up to 999); None if it is not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in DIGITS and c not in "十百" for c in text):
        return None
    total, current = 0, 0
    for char in text:
        if char in DIGITS:
            current = DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


def _safe_date(year: int, month: int, day: int) -> Optional[date]:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_day(month: int, day: int, today: date) -> Optional[date]:
    """A month and day without a year: this year, or next year when this year's is long past
    (in November, “1月10日” means next January; “11月20日” is a recent past date)."""
    candidate = _safe_date(today.year, month, day)
    if candidate is not None and candidate < today - timedelta(days=120):
        candidate = _safe_date(today.year + 1, month, day)
    return candidate


def _day_of_month(month_word: Text, day_of_month: Optional[int], today: date) -> Optional[Deadline]:
    """“下个月15号” in next month; a bare “15号” in this month, or the next when it has passed."""
    if not day_of_month:
        return None
    first_of_next = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    if month_word.startswith("下"):
        day = _safe_date(first_of_next.year, first_of_next.month, day_of_month)
    else:
        day = _safe_date(today.year, today.month, day_of_month)
        if day is not None and day < today and not month_word:
            day = _safe_date(first_of_next.year, first_of_next.month, day_of_month)
    return Deadline(day) if day else None


def _weekday(prefix: Text, name: Text, today: date) -> date:
    target = WEEKDAYS[name]
    monday = today - timedelta(days=today.weekday())
    weeks = {"下下": 2, "下": 1, "下个": 1}.get(prefix, 0)
    day = monday + timedelta(weeks=weeks, days=target)
    if not prefix and day < today:
        day += timedelta(weeks=1)  # a bare “周一” already past this week means the next one
    return day


def parse_deadline(text: Text, today: date) -> Optional[Deadline]:
    """The deadline written in `text`, relative to `today`; None when it cannot be read.

    A date that is not a real calendar day (2月30日) cannot be read. A past date is
    returned as written: the caller asks whether it is right.
    """
    text = (text or "").strip()
    if NO_DEADLINE.match(text) or text in ("无", "没有期限", "不限"):
        return Deadline(None)
    if match := FULL_DATE.search(text):
        day = _safe_date(int(match[1]), int(match[2]), int(match[3]))
        return Deadline(day) if day else None
    if match := MONTH_DAY.search(text):
        month, day_of_month = chinese_number(match[1]), chinese_number(match[2])
        if month and day_of_month:
            day = _month_day(month, day_of_month, today)
            return Deadline(day) if day else None
        return None
    if match := SLASH_MONTH_DAY.search(text):
        day = _month_day(int(match[1]), int(match[2]), today)
        return Deadline(day) if day else None
    if match := DAY_OF_MONTH.search(text):
        return _day_of_month(match[1] or "", chinese_number(match[2]), today)
    for word, offset in sorted(RELATIVE_DAYS.items(), key=lambda item: -len(item[0])):
        if word in text:
            return Deadline(today + timedelta(days=offset))
    if match := WEEKDAY.search(text):
        return Deadline(_weekday(match[1] or "", match[2], today))
    if "月底" in text:
        first_of_next = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        if "下个月" in text or "下月" in text:
            first_of_next = (first_of_next.replace(day=28) + timedelta(days=4)).replace(day=1)
        return Deadline(first_of_next - timedelta(days=1))
    if match := IN_DAYS.search(text):
        count = chinese_number(match[1])
        if count is None:
            return None
        unit = match[2]
        if unit == "工作日":
            return Deadline(_after_working_days(today, count))
        if unit in ("周", "星期", "礼拜"):
            return Deadline(today + timedelta(weeks=count))
        if unit in ("个月", "月"):
            return Deadline(today + timedelta(days=30 * count))
        return Deadline(today + timedelta(days=count))
    if NO_DEADLINE_SAID.search(text):
        return Deadline(None)
    return None


def _after_working_days(today: date, count: int) -> date:
    """The day `count` working days (Monday to Friday; public holidays are not known here)
    after `today`."""
    day = today
    while count > 0:
        day += timedelta(days=1)
        count -= day.weekday() < 5
    return day
