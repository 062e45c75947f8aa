"""Office hours from settings, judged in China time whatever the clock's zone."""

from datetime import datetime, time, timezone

import pytest

from knowledge.core.dates import CHINA
from knowledge.core.office_hours import OfficeHours, describe_moment

UTC = timezone.utc
WEEKDAYS = OfficeHours.parse("09:00-17:00", "1-5")


@pytest.mark.parametrize(
    "hours, days, expected",
    [
        ("09:00-17:00", "1-5", OfficeHours(time(9), time(17), frozenset({0, 1, 2, 3, 4}))),
        (" 8:30 - 12:00 ", "1,2,3,4,5,6", OfficeHours(time(8, 30), time(12), frozenset({0, 1, 2, 3, 4, 5}))),
        ("09:00-17:00", "1-5,7", OfficeHours(time(9), time(17), frozenset({0, 1, 2, 3, 4, 6}))),
        ("09:00-17:00", "7", OfficeHours(time(9), time(17), frozenset({6}))),
        ("00:00-23:59", "1-7", OfficeHours(time(0), time(23, 59), frozenset(range(7)))),
        ("00:00-24:00", "1-7", OfficeHours(time(0), time.max, frozenset(range(7)))),
    ],
)
def test_parse(hours, days, expected):
    assert OfficeHours.parse(hours, days) == expected


# time(25, 0) raises its own ValueError (“hour must be in 0..23”) that does not name the
# setting; a reversed range "5-1" gives no days at all and is accepted.


@pytest.mark.parametrize(
    "hours, days, setting",
    [
        ("9-17", "1-5", "OFFICE_HOURS"),
        ("", "1-5", "OFFICE_HOURS"),
        ("09:00", "1-5", "OFFICE_HOURS"),
        ("17:00-09:00", "1-5", "OFFICE_HOURS"),
        ("09:00-09:00", "1-5", "OFFICE_HOURS"),
        ("09:00-17:00", "0-5", "OFFICE_DAYS"),
        ("09:00-17:00", "1-8", "OFFICE_DAYS"),
        ("09:00-17:00", "", "OFFICE_DAYS"),
        ("09:00-17:00", "mon-fri", "OFFICE_DAYS"),
        ("09:00-17:00", "1-5,", "OFFICE_DAYS"),
        ("09:00-17:00", "1~5", "OFFICE_DAYS"),
        ("25:00-26:00", "1-5", "OFFICE_HOURS"),
        ("09:75-17:00", "1-5", "OFFICE_HOURS"),
        ("09:00-17:00", "5-1", "OFFICE_DAYS"),
    ],
)
def test_bad_settings_raise_value_error_naming_the_setting(hours, days, setting):
    with pytest.raises(ValueError) as error:
        OfficeHours.parse(hours, days)
    message = str(error.value)
    assert setting in message
    assert repr(hours if setting == "OFFICE_HOURS" else days) in message


@pytest.mark.parametrize(
    "now, expected",
    [
        (datetime(2026, 11, 24, 2, 0, tzinfo=UTC), True),  # Tuesday 10:00 in China
        (datetime(2026, 11, 24, 10, 0, tzinfo=UTC), False),  # Tuesday 18:00
        (datetime(2026, 11, 28, 2, 0, tzinfo=UTC), False),  # Saturday 10:00
        (datetime(2026, 11, 29, 2, 0, tzinfo=UTC), False),  # Sunday 10:00
        (datetime(2026, 11, 24, 1, 0, tzinfo=UTC), True),  # 09:00 sharp: open
        (datetime(2026, 11, 24, 0, 59, tzinfo=UTC), False),  # 08:59
        (datetime(2026, 11, 24, 8, 59, tzinfo=UTC), True),  # 16:59
        (datetime(2026, 11, 24, 9, 0, tzinfo=UTC), False),  # 17:00 sharp: closed
        (datetime(2026, 11, 24, 10, 0, tzinfo=CHINA), True),
        (datetime(2026, 11, 24, 18, 0, tzinfo=CHINA), False),
    ],
)
def test_is_open(now, expected):
    assert WEEKDAYS.is_open(now) is expected


def test_the_weekday_is_chinas_not_the_clocks():
    mondays_early = OfficeHours.parse("06:00-10:00", "1")
    sunday_evening_utc = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # Monday 07:00 in China
    assert mondays_early.is_open(sunday_evening_utc) is True
    assert mondays_early.is_open(datetime(2026, 11, 30, 7, 0, tzinfo=UTC)) is False  # Monday 15:00


@pytest.mark.parametrize(
    "now, expected",
    [
        (datetime(2026, 11, 27, 18, 0, tzinfo=CHINA), datetime(2026, 11, 30, 9, 0, tzinfo=CHINA)),  # Fri evening
        (datetime(2026, 11, 27, 10, 0, tzinfo=UTC), datetime(2026, 11, 30, 9, 0, tzinfo=CHINA)),  # the same in UTC
        (datetime(2026, 11, 24, 8, 0, tzinfo=CHINA), datetime(2026, 11, 24, 9, 0, tzinfo=CHINA)),  # Tue morning
        (datetime(2026, 11, 24, 9, 0, tzinfo=CHINA), datetime(2026, 11, 25, 9, 0, tzinfo=CHINA)),  # just opened
        (datetime(2026, 11, 24, 10, 0, tzinfo=CHINA), datetime(2026, 11, 25, 9, 0, tzinfo=CHINA)),  # open now
        (datetime(2026, 11, 28, 10, 0, tzinfo=CHINA), datetime(2026, 11, 30, 9, 0, tzinfo=CHINA)),  # Saturday
        (datetime(2026, 11, 29, 23, 30, tzinfo=CHINA), datetime(2026, 11, 30, 9, 0, tzinfo=CHINA)),  # Sunday night
    ],
)
def test_next_opening(now, expected):
    opening = WEEKDAYS.next_opening(now)
    assert opening == expected
    assert opening.utcoffset() == CHINA.utcoffset(None)
    assert (opening.hour, opening.minute) == (9, 0)


def test_next_opening_a_week_later():
    mondays = OfficeHours.parse("09:00-17:00", "1")
    monday_noon = datetime(2026, 11, 30, 12, 0, tzinfo=CHINA)
    assert mondays.next_opening(monday_noon) == datetime(2026, 12, 7, 9, 0, tzinfo=CHINA)


def test_next_opening_without_working_days_raises():
    with pytest.raises(ValueError):
        OfficeHours(time(9), time(17), frozenset()).next_opening(datetime(2026, 11, 24, tzinfo=CHINA))


@pytest.mark.parametrize(
    "hours, days, expected",
    [
        ("09:00-17:00", "1-5", "周一至周五 09:00-17:00"),
        ("08:30-12:00", "1,3,5", "周一、周三、周五 08:30-12:00"),
        ("09:00-17:00", "7", "周日 09:00-17:00"),
        ("09:00-17:00", "1-7", "周一至周日 09:00-17:00"),
        ("09:00-17:00", "6-7", "周六至周日 09:00-17:00"),
        ("09:00-17:00", "1-3,5", "周一、周二、周三、周五 09:00-17:00"),
        ("9:05-17:30", "1,2,3,4,5", "周一至周五 09:05-17:30"),
    ],
)
def test_describe(hours, days, expected):
    assert OfficeHours.parse(hours, days).describe() == expected


@pytest.mark.parametrize(
    "moment, expected",
    [
        (datetime(2026, 11, 25, 9, 0, tzinfo=CHINA), "11月25日（周三）09:00"),
        (datetime(2026, 11, 25, 1, 0, tzinfo=UTC), "11月25日（周三）09:00"),
        (datetime(2026, 11, 30, 16, 5, tzinfo=UTC), "12月1日（周二）00:05"),
        (datetime(2026, 11, 29, 10, 0, tzinfo=CHINA), "11月29日（周日）10:00"),
    ],
)
def test_describe_moment(moment, expected):
    assert describe_moment(moment) == expected
