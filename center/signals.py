"""Signal receivers of the center app (connected in CenterConfig.ready)."""

from __future__ import annotations


def holiday_changed(sender, **kwargs) -> None:
    """A staff change to the Holiday table: every process rebuilds its calendar tables."""
    from center import calendar

    calendar.invalidate()
