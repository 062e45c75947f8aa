"""When people answer: office hours from configuration, in China time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import FrozenSet, Text

from knowledge.core.dates import CHINA

WEEKDAY_NAMES = "一二三四五六日"


@dataclass(frozen=True)
class OfficeHours:
    """Opening and closing time on the given weekdays (0 = Monday)."""

    opens: time
    closes: time
    days: FrozenSet[int]

    @classmethod
    def parse(cls, hours: Text, days: Text) -> "OfficeHours":
        """From settings such as "09:00-17:00" and "1-5" (Monday to Friday) or "1,2,3,4,5,6";
        "00:00-24:00" is the whole day.

        Raises ValueError with the offending setting when one cannot be read."""
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", hours)
        if not match:
            raise ValueError(f"OFFICE_HOURS {hours!r}: expected HH:MM-HH:MM")
        try:
            opens = time(int(match[1]), int(match[2]))
            closes = time.max if (match[3], match[4]) == ("24", "00") else time(int(match[3]), int(match[4]))
        except ValueError:
            raise ValueError(f"OFFICE_HOURS {hours!r}: not a time of day") from None
        if opens >= closes:
            raise ValueError(f"OFFICE_HOURS {hours!r}: opening must be before closing")
        weekdays: set = set()
        for part in days.split(","):
            bounds = [int(b) for b in part.split("-")] if re.fullmatch(r"\s*[1-7](-[1-7])?\s*", part) else []
            if not bounds or bounds[0] > bounds[-1]:
                raise ValueError(f"OFFICE_DAYS {days!r}: expected days 1-7 such as 1-5 or 1,3,5")
            weekdays.update(range(bounds[0] - 1, bounds[-1]))
        return cls(opens, closes, frozenset(weekdays))

    def is_open(self, now: datetime) -> bool:
        """Whether staff are at work at `now` (any time zone; judged in China time)."""
        local = now.astimezone(CHINA)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def next_opening(self, now: datetime) -> datetime:
        """The next time staff come to work after `now`, in China time."""
        local = now.astimezone(CHINA)
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            opening = datetime.combine(day, self.opens, tzinfo=CHINA)
            if day.weekday() in self.days and opening > local:
                return opening
        raise ValueError("no working day configured")

    def describe(self) -> Text:
        """“周一至周五 09:00-17:00”."""
        days = sorted(self.days)
        if days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
            named = f"周{WEEKDAY_NAMES[days[0]]}至周{WEEKDAY_NAMES[days[-1]]}"
        else:
            named = "、".join(f"周{WEEKDAY_NAMES[d]}" for d in days)
        closes = "24:00" if self.closes == time.max else f"{self.closes:%H:%M}"
        return f"{named} {self.opens:%H:%M}-{closes}"


def describe_moment(moment: datetime) -> Text:
    """“11月25日（周三）09:00”."""
    local = moment.astimezone(CHINA)
    return f"{local.month}月{local.day}日（周{WEEKDAY_NAMES[local.weekday()]}）{local:%H:%M}"
