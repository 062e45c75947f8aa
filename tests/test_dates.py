"""Deadlines as enterprises write them, read relative to Tuesday 24 November 2026."""

from datetime import date, datetime, timedelta, timezone

import pytest

from knowledge.core.dates import CHINA, Deadline, chinese_number, parse_deadline, today_in_china

TODAY = date(2026, 11, 24)

# knowledge.dates.DIGITS is "零一二两三四五六七八九": 两 takes index 3, so 三 reads as 4, 四 as 5 ...
# 九 as 10. Only 零, 一, 二 and 两 are read correctly.


def test_the_reference_day_is_a_tuesday():
    assert TODAY.weekday() == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        ("11月24日前", date(2026, 11, 24)),
        ("下周五", date(2026, 12, 4)),
        ("这周五", date(2026, 11, 27)),
        ("本周五", date(2026, 11, 27)),
        ("周一", date(2026, 11, 30)),
        ("还有10天", date(2026, 12, 4)),
        ("10天内", date(2026, 12, 4)),
        ("两周", date(2026, 12, 8)),
        ("二十天", date(2026, 12, 14)),
        # Working days skip Saturdays and Sundays (TODAY is a Tuesday).
        ("海关说要在5个工作日内回复", date(2026, 12, 1)),
        ("三个工作日内答复", date(2026, 11, 27)),
        ("2026-12-01", date(2026, 12, 1)),
        ("2026/12/1", date(2026, 12, 1)),
        ("2026年12月1日", date(2026, 12, 1)),
        ("12月1号", date(2026, 12, 1)),
        ("1月5日", date(2027, 1, 5)),
        ("11月20日", date(2026, 11, 20)),
        ("月底前", date(2026, 11, 30)),
        ("明天", date(2026, 11, 25)),
        ("后天", date(2026, 11, 26)),
        ("大后天", date(2026, 11, 27)),
        ("今天", date(2026, 11, 24)),
        ("下下周一", date(2026, 12, 7)),
        ("星期天", date(2026, 11, 29)),
        ("周末", date(2026, 11, 28)),
        ("12/1", date(2026, 12, 1)),
        ("十二月一日", date(2026, 12, 1)),
        ("下个月底", date(2026, 12, 31)),
        ("两个月", date(2027, 1, 23)),
        ("  2026-12-01  ", date(2026, 12, 1)),
        # A month and day without a year is this year's unless that is more than 120 days ago.
        ("7月27日", date(2026, 7, 27)),
        ("7月26日", date(2027, 7, 26)),
        ("还有三天", date(2026, 11, 27)),
        ("十五天内", date(2026, 12, 9)),
        ("三月五日", date(2027, 3, 5)),
        # A day of the month alone: this month's, or next month's when it has passed.
        ("30号前", date(2026, 11, 30)),
        ("20号", date(2026, 12, 20)),
        ("下个月15号", date(2026, 12, 15)),
        ("本月28号", date(2026, 11, 28)),
    ],
)
def test_parse_deadline_reads_the_day(text, expected):
    assert parse_deadline(text, TODAY) == Deadline(expected)


def test_a_past_day_is_returned_as_written_and_is_past():
    deadline = parse_deadline("11月20日", TODAY)
    assert deadline == Deadline(date(2026, 11, 20))
    assert deadline.is_past(TODAY) is True
    assert deadline.none_given is False


def test_today_is_not_past():
    deadline = parse_deadline("11月24日前", TODAY)
    assert deadline.is_past(TODAY) is False


@pytest.mark.parametrize(
    "text",
    [
        "没有",
        "暂时没有截止日期",
        "不清楚",
        "不知道",
        "无",
        "没有期限",
        "不限",
        "暂无",
        "对方没给期限",
        "法院没说",
        "函里没写期限",
        "通知上没有说什么时候",
    ],
)
def test_no_deadline_is_an_answer(text):
    deadline = parse_deadline(text, TODAY)
    assert deadline == Deadline(None)
    assert deadline.none_given is True
    assert deadline.is_past(TODAY) is False


@pytest.mark.parametrize("text", ["abc", "2月30日", "尽快", "", "2026-02-30", "13月1日", "很急"])
def test_unreadable_deadlines_give_none(text):
    assert parse_deadline(text, TODAY) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3", 3),
        ("12", 12),
        ("零", 0),
        ("一", 1),
        ("二", 2),
        ("两", 2),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百", 100),
        ("", None),
        ("abc", None),
        ("十x", None),
        ("三", 3),
        ("五", 5),
        ("九", 9),
        ("十五", 15),
        ("二十五", 25),
        ("一百零五", 105),
        ("九百九十九", 999),
    ],
)
def test_chinese_number(text, expected):
    assert chinese_number(text) == expected


@pytest.mark.parametrize(
    "now, expected",
    [
        (datetime(2026, 11, 24, 16, 30, tzinfo=timezone.utc), date(2026, 11, 25)),
        (datetime(2026, 11, 24, 15, 59, tzinfo=timezone.utc), date(2026, 11, 24)),
        (datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc), date(2027, 1, 1)),
        (datetime(2026, 11, 24, 10, 0, tzinfo=timezone(timedelta(hours=-5))), date(2026, 11, 24)),
        (datetime(2026, 11, 25, 0, 30, tzinfo=CHINA), date(2026, 11, 25)),
    ],
)
def test_today_in_china(now, expected):
    assert today_in_china(now) == expected


def test_china_time_is_utc_plus_eight():
    assert CHINA.utcoffset(None) == timedelta(hours=8)
