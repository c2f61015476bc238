"""Working-day calendar for every deadline in the portal.

Years the `chinese-calendar` package knows use its State Council schedule (holidays and
make-up working days, 调休). Other years use the staff-maintained Holiday table on top of
plain weekends, and are reported by `unknown_years` so the admin can warn staff; a missing
year never raises.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import chinese_calendar
from django.utils import timezone

logger = logging.getLogger(__name__)

_KNOWN_YEARS: tuple[int, int] | None = None


def known_year_range() -> tuple[int, int]:
    """First and last year the installed chinese-calendar package has data for."""
    global _KNOWN_YEARS
    if _KNOWN_YEARS is None:
        years = sorted({d.year for d in chinese_calendar.holidays})
        _KNOWN_YEARS = (years[0], years[-1])
    return _KNOWN_YEARS


def year_is_known(year: int) -> bool:
    first, last = known_year_range()
    return first <= year <= last


def unknown_years(*, ahead: int = 1) -> list[int]:
    """Years from this one up to `ahead` years on that the package does not cover."""
    this = timezone.localdate().year
    return [y for y in range(this, this + ahead + 1) if not year_is_known(y)]


class _Calendar:
    """Answers is-working-day, loading each fallback year's table rows once per instance."""

    def __init__(self) -> None:
        self._table: dict[int, dict[date, str]] = {}

    def _table_for(self, year: int) -> dict[date, str]:
        if year not in self._table:
            from center.models import Holiday

            rows = Holiday.objects.filter(date__year=year).values_list("date", "kind")
            self._table[year] = dict(rows)
            logger.warning("calendar fallback", extra={"year": year, "table_rows": len(self._table[year])})
        return self._table[year]

    def is_working_day(self, day: date) -> bool:
        if year_is_known(day.year):
            return chinese_calendar.is_workday(day)
        kind = self._table_for(day.year).get(day)
        if kind == "holiday":
            return False
        if kind == "workday":
            return True
        return day.weekday() < 5


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def is_working_day(day: date | datetime) -> bool:
    return _Calendar().is_working_day(_as_date(day))


def add_working_days(start: date | datetime, n: int) -> date:
    """The date `n` working days after `start` (start itself not counted; n=0 gives start).

    A negative `n` counts backwards: `add_working_days(deadline, -7)` is the day seven
    working days before the deadline.
    """
    cal = _Calendar()
    day = _as_date(start)
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += timedelta(days=step)
        if cal.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a: date | datetime, b: date | datetime) -> int:
    """Working days in (a, b]; negative when b is before a. Inverse of add_working_days."""
    cal = _Calendar()
    a, b = _as_date(a), _as_date(b)
    if b < a:
        return -working_days_between(b, a)
    count = 0
    day = a
    while day < b:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            count += 1
    return count


def end_of_day(day: date) -> datetime:
    """The last moment of `day` in local time: when a deadline falling on that day expires."""
    return timezone.make_aware(datetime.combine(day, datetime.max.time()))
