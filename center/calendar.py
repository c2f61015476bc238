"""Working-day calendar for every deadline in the portal.

Where each year's days off come from:

1. Years the `chinese-calendar` package knows use its State Council schedule (statutory
   holidays and make-up working days, 调休).
2. Other years use the `holidays` package (country CN), which computes the statutory
   holidays of any year, lunar ones (Spring Festival, Dragon Boat, Mid-Autumn) included, on
   top of plain weekends. It does not know the make-up working days, which the State Council
   announces late each year.
3. The staff-maintained `Holiday` table is laid on top of either source: a row of kind
   "workday" makes a day a working day (a make-up Saturday), a row of kind "holiday" makes it a
   day off. So staff type in 调休 once announced, and can correct anything.

Each year's table is built once per process and kept; saving or deleting a `Holiday` row
clears it here and bumps a version in the shared cache so other processes rebuild within
`RECHECK_SECONDS`. A year served by the fallback is logged once per process.

Deadlines that fall on a day off (the rule, see README "Deadlines"): a deadline staff set on
a day that is not a working day is kept as typed, but it *runs until the end of the next
working day* (as the Civil Code counts periods, art. 203): `effective_deadline()`. Reminders
"N working days before" count back from the effective deadline and, if the job missed the
day, are sent late once (`reminder_occasion()`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

import chinese_calendar
import holidays as holidays_lib
from django.utils import timezone

logger = logging.getLogger(__name__)

SOURCE_PACKAGE = "chinese-calendar"
SOURCE_COMPUTED = "holidays"
VERSION_KEY = "center:calendar:version"
RECHECK_SECONDS = 30

_KNOWN_YEARS: tuple[int, int] | None = None


def known_year_range() -> tuple[int, int]:
    """First and last year the installed chinese-calendar package has data for."""
    global _KNOWN_YEARS
    if _KNOWN_YEARS is None:
        years = sorted({d.year for d in chinese_calendar.holidays})
        _KNOWN_YEARS = (years[0], years[-1])
    return _KNOWN_YEARS


def year_is_known(year: int) -> bool:
    """Whether chinese-calendar (with the State Council's make-up days) covers `year`."""
    first, last = known_year_range()
    return first <= year <= last


def year_source(year: int) -> str:
    """Which source gives `year`'s statutory days off: SOURCE_PACKAGE or SOURCE_COMPUTED."""
    return SOURCE_PACKAGE if year_is_known(year) else SOURCE_COMPUTED


def unknown_years(*, ahead: int = 1, today: date | None = None) -> list[int]:
    """Years from this one up to `ahead` years on that chinese-calendar does not cover
    (their statutory holidays are computed; their make-up days must come from staff)."""
    this = (today or timezone.localdate()).year
    return [y for y in range(this, this + ahead + 1) if not year_is_known(y)]


class _YearTable:
    __slots__ = ("days_off", "workdays")

    def __init__(self, days_off: frozenset[date], workdays: frozenset[date]) -> None:
        self.days_off = days_off  # weekdays that are not worked (statutory holidays)
        self.workdays = workdays  # weekend days that are worked (make-up days)

    def is_working_day(self, day: date) -> bool:
        if day.weekday() >= 5:
            return day in self.workdays
        return day not in self.days_off


class _Cache:
    """Per-process tables, one per year, with a shared version for invalidation."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tables: dict[int, _YearTable] = {}
        self.version: object = None
        self.checked_at = 0.0
        self.warned: set[int] = set()

    def clear(self) -> None:
        with self.lock:
            self.tables.clear()
            self.checked_at = 0.0

    def _shared_version(self) -> object:
        from django.core.cache import cache

        try:
            return cache.get(VERSION_KEY)
        except Exception:  # a cache outage must never break a deadline
            logger.warning("calendar version check failed", exc_info=True)
            return self.version

    def table(self, year: int) -> _YearTable:
        now = time.monotonic()
        if now - self.checked_at > RECHECK_SECONDS:
            version = self._shared_version()
            with self.lock:
                if version != self.version:
                    self.tables.clear()
                    self.version = version
                self.checked_at = now
        table = self.tables.get(year)
        if table is None:
            table = _build_year(year, warned=self.warned)
            with self.lock:
                self.tables[year] = table
        return table


_cache = _Cache()


def _build_year(year: int, *, warned: set[int]) -> _YearTable:
    from center.models import Holiday

    start, end = date(year, 1, 1), date(year, 12, 31)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    if year_is_known(year):
        off = {d for d in days if d.weekday() < 5 and not chinese_calendar.is_workday(d)}
        work = {d for d in days if d.weekday() >= 5 and chinese_calendar.is_workday(d)}
    else:
        statutory = holidays_lib.country_holidays("CN", years=year)
        off = {d for d in statutory if d.year == year and d.weekday() < 5}
        work = set()
        if year not in warned:
            warned.add(year)
            logger.warning(
                "calendar: %s has no State Council schedule in chinese-calendar; statutory "
                "holidays computed by the holidays package, make-up days from the Holiday table",
                year,
            )
    for day, kind in Holiday.objects.filter(date__year=year).values_list("date", "kind"):
        if kind == Holiday.Kind.HOLIDAY:
            work.discard(day)
            if day.weekday() < 5:
                off.add(day)
        elif kind == Holiday.Kind.WORKDAY:
            off.discard(day)
            if day.weekday() >= 5:
                work.add(day)
    return _YearTable(frozenset(off), frozenset(work))


def invalidate() -> None:
    """Forget the tables here and tell other processes (called when the Holiday table changes)."""
    from django.core.cache import cache

    _cache.clear()
    try:
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    except Exception:
        logger.warning("calendar version bump failed", exc_info=True)


def clear_cache() -> None:
    """Forget this process's tables (tests call it between cases)."""
    _cache.clear()
    _cache.version = None
    _cache.warned.clear()


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def is_working_day(day: date | datetime) -> bool:
    day = _as_date(day)
    return _cache.table(day.year).is_working_day(day)


def add_working_days(start: date | datetime, n: int) -> date:
    """The date `n` working days after `start` (start itself not counted; n=0 gives start).

    A negative `n` counts backwards: `add_working_days(deadline, -7)` is the day seven
    working days before the deadline.
    """
    day = _as_date(start)
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a: date | datetime, b: date | datetime) -> int:
    """Working days in (a, b]; negative when b is before a.

    `working_days_between(d, add_working_days(d, n)) == n` for any d and n >= 0. The reverse
    holds only when the end date is a working day: count to `effective_deadline(...)`.
    """
    a, b = _as_date(a), _as_date(b)
    if b < a:
        return -working_days_between(b, a)
    count = 0
    day = a
    while day < b:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def next_working_day(day: date | datetime) -> date:
    """`day` itself when it is a working day, otherwise the first working day after it."""
    day = _as_date(day)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def effective_deadline(deadline: date | datetime) -> date:
    """The day a staff-set deadline really ends: the deadline, or the next working day when
    it falls on a day off (weekend, statutory holiday)."""
    return next_working_day(deadline)


def working_days_left(today: date | datetime, deadline: date | datetime) -> int:
    """Working days from `today` to the effective deadline: 0 on the last day, negative once
    it has passed (-1 on the first working day after it)."""
    return working_days_between(today, effective_deadline(deadline))


def is_overdue(today: date | datetime, deadline: date | datetime) -> bool:
    """Whether the effective deadline ended before `today`."""
    return _as_date(today) > effective_deadline(deadline)


def reminder_occasion(today: date | datetime, deadline: date | datetime, marks: Sequence[int]) -> str | None:
    """Which reminder is due on `today` for a deadline with reminders `marks` working days
    before it (e.g. (10, 3)): "due-10wd", "due-3wd", "overdue" or None.

    The occasion is the smallest mark not below the working days left, so a job that missed
    the exact day still sends that reminder once (keyed by the occasion) on the next run;
    "overdue" once the effective deadline has passed.
    """
    if is_overdue(today, deadline):
        return "overdue"
    left = working_days_left(today, deadline)
    due = [m for m in marks if left <= m]
    return f"due-{min(due)}wd" if due else None


def end_of_day(day: date) -> datetime:
    """The last moment of `day` in local time: when a deadline falling on that day expires."""
    return timezone.make_aware(datetime.combine(day, datetime.max.time()))


def year_sources(years: Iterable[int]) -> list[dict]:
    """For the workbench and the admin: each year's source and the staff rows laid on top."""
    from django.db.models import Count, Q

    from center.models import Holiday

    years = list(years)
    counts = {
        row["date__year"]: row
        for row in Holiday.objects.filter(date__year__in=years)
        .values("date__year")
        .annotate(
            holidays=Count("pk", filter=Q(kind=Holiday.Kind.HOLIDAY)),
            workdays=Count("pk", filter=Q(kind=Holiday.Kind.WORKDAY)),
        )
    }
    out = []
    for year in years:
        row = counts.get(year, {})
        out.append(
            {
                "year": year,
                "source": year_source(year),
                "known": year_is_known(year),
                "staff_holidays": row.get("holidays", 0),
                "staff_workdays": row.get("workdays", 0),
            }
        )
    return out
