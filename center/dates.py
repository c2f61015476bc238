"""Calendar arithmetic shared by the apps (working days live in `center.calendar`)."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` (may be negative); the day is clamped to the month's end
    (31 January + 1 month = 28/29 February)."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    month = month0 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """`day` moved by `years`; 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * years)
