"""The working-day calendar: sources per year, the staff table on top, cached tables, and the
rule for deadlines that fall on a day off."""

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from center import calendar
from center.calendar import (
    SOURCE_COMPUTED,
    SOURCE_PACKAGE,
    add_working_days,
    effective_deadline,
    is_overdue,
    is_working_day,
    reminder_occasion,
    unknown_years,
    working_days_between,
    working_days_left,
    year_is_known,
    year_source,
)
from center.models import Holiday

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_spring_festival_2026_is_skipped():
    # Friday 13 Feb 2026 + 1 working day: Sat 14 Feb is a make-up working day (调休).
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    # From the make-up Saturday, the next working day is after the holiday (15–23 Feb off).
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2


def test_make_up_saturday_counts_and_plain_saturday_does_not():
    assert is_working_day(date(2026, 2, 28))  # make-up Saturday after Spring Festival
    assert not is_working_day(date(2026, 3, 7))  # ordinary Saturday


def test_national_day_2026():
    # 30 Sep (Wed) + 1 -> holiday 1–7 Oct and the weekend are skipped.
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert not is_working_day(date(2026, 10, 1))
    assert not is_working_day(date(2026, 10, 7))
    assert is_working_day(date(2026, 10, 10))  # make-up Saturday
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1


def test_add_then_between_gives_back_n_from_any_start():
    for start in (date(2026, 1, 1), date(2026, 2, 14), date(2026, 10, 3), date(2027, 2, 6)):
        for n in (1, 5, 13, 30, 120):
            assert working_days_between(start, add_working_days(start, n)) == n


def test_negative_counts_backwards():
    assert add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)


def test_sources_per_year():
    assert year_is_known(2026) and year_source(2026) == SOURCE_PACKAGE
    assert not year_is_known(2027) and year_source(2027) == SOURCE_COMPUTED
    assert unknown_years(ahead=1, today=date(2026, 12, 31)) == [2027]
    assert unknown_years(ahead=1, today=date(2025, 6, 1)) == []


def test_2027_statutory_holidays_without_anyone_typing_them():
    # New Year's Day 2027 is a Friday: a day off, from the holidays package.
    assert not is_working_day(date(2027, 1, 1))
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    # Spring Festival 2027: Fri 5 Feb (eve) to Wed 10 Feb off; one working day later is Thu 11.
    assert add_working_days(date(2027, 2, 5), 1) == date(2027, 2, 11)
    assert add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 11)
    # National Day 2027 (a lunar-independent holiday) and Mid-Autumn (lunar) are off too.
    assert not is_working_day(date(2027, 10, 1))
    assert not is_working_day(date(2027, 9, 15))  # 中秋节 2027 (15th of the 8th lunar month)


def test_staff_table_adds_make_up_days_on_top_and_wins():
    assert not is_working_day(date(2027, 2, 20))  # a plain Saturday
    Holiday.objects.create(date=date(2027, 2, 20), kind=Holiday.Kind.WORKDAY, name="调休")
    assert is_working_day(date(2027, 2, 20))  # the signal rebuilt the table
    Holiday.objects.create(date=date(2027, 3, 1), kind=Holiday.Kind.HOLIDAY, name="特别休假")
    assert not is_working_day(date(2027, 3, 1))
    Holiday.objects.filter(date=date(2027, 3, 1)).delete()  # queryset delete: no signal
    calendar.invalidate()
    assert is_working_day(date(2027, 3, 1))
    # The table overrides a known year as well (a schedule corrected by the State Council).
    Holiday.objects.create(date=date(2026, 3, 2), kind=Holiday.Kind.HOLIDAY, name="更正")
    assert not is_working_day(date(2026, 3, 2))


def test_each_year_is_loaded_once_and_the_fallback_warns_once(caplog):
    calendar.clear_cache()
    with caplog.at_level(logging.WARNING, logger="center.calendar"):
        with CaptureQueriesContext(connection) as ctx:
            for _ in range(3):
                add_working_days(date(2027, 1, 4), 200)
    assert len(ctx.captured_queries) <= 2  # one per year touched (2027 and maybe 2028)
    fallback_warnings = [r for r in caplog.records if "2027" in r.getMessage()]
    assert len(fallback_warnings) == 1


# --- deadlines on a day off (README "Deadlines") ---------------------------------------


def test_deadline_on_a_saturday_runs_to_monday():
    saturday = date(2026, 12, 19)
    assert effective_deadline(saturday) == date(2026, 12, 21)
    assert working_days_left(date(2026, 12, 16), saturday) == 3  # Thu, Fri, Mon
    assert not is_overdue(date(2026, 12, 20), saturday)
    assert not is_overdue(date(2026, 12, 21), saturday)
    assert is_overdue(date(2026, 12, 22), saturday)


def test_deadline_on_a_holiday_runs_to_the_first_working_day_after_it():
    national_day = date(2026, 10, 2)
    assert effective_deadline(national_day) == date(2026, 10, 8)
    assert reminder_occasion(date(2026, 9, 28), national_day, (3, 1)) == "due-3wd"  # Mon: 2 left
    assert reminder_occasion(date(2026, 9, 30), national_day, (3, 1)) == "due-1wd"
    assert reminder_occasion(date(2026, 10, 5), national_day, (3, 1)) == "due-1wd"
    assert reminder_occasion(date(2026, 10, 8), national_day, (3, 1)) == "due-1wd"
    assert reminder_occasion(date(2026, 10, 9), national_day, (3, 1)) == "overdue"


def test_deadline_on_a_make_up_saturday_is_that_saturday():
    make_up = date(2026, 10, 10)
    assert effective_deadline(make_up) == make_up
    assert working_days_left(date(2026, 10, 9), make_up) == 1
    assert is_overdue(date(2026, 10, 11), make_up)


def test_reminder_occasion_catches_up_a_missed_day_once():
    deadline = date(2026, 12, 21)  # Monday
    marks = (10, 3)
    assert reminder_occasion(date(2026, 12, 1), deadline, marks) is None  # 14 working days left
    assert reminder_occasion(date(2026, 12, 7), deadline, marks) == "due-10wd"  # exactly 10
    assert reminder_occasion(date(2026, 12, 8), deadline, marks) == "due-10wd"  # 9: same occasion
    assert reminder_occasion(date(2026, 12, 16), deadline, marks) == "due-3wd"
    assert reminder_occasion(date(2026, 12, 18), deadline, marks) == "due-3wd"  # missed, caught up
    assert reminder_occasion(date(2026, 12, 21), deadline, marks) == "due-3wd"
    assert reminder_occasion(date(2026, 12, 22), deadline, marks) == "overdue"


def test_aware_datetimes_are_read_in_shanghai():
    # 23:30 on New Year's Eve in Shanghai is 15:30 UTC: still 31 December locally.
    eve = datetime(2026, 12, 31, 23, 30, tzinfo=SHANGHAI)
    assert add_working_days(eve, 1) == date(2027, 1, 4)
    with time_machine.travel(eve, tick=False):
        assert unknown_years(ahead=0) == [2026] or year_is_known(2026)


def test_workbench_and_admin_say_which_source_each_year_uses(client, staff):
    client.force_login(staff)
    with time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=SHANGHAI), tick=False):
        page = client.get("/workbench/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "2026: State Council schedule (chinese-calendar)" in page
        assert "2027: statutory holidays computed by the holidays package" in page
        admin_page = client.get("/admin/center/holiday/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "2027: the chinese-calendar package has no schedule yet" in admin_page
        assert "2026: the State Council schedule" in admin_page


def test_calendar_day_endpoint_says_when_a_deadline_really_ends(client):
    saturday = client.get("/calendar/day/", {"date": "2026-12-19"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert saturday["working"] is False and saturday["effective_deadline"] == "2026-12-21"
    assert "not a working day" in saturday["message"]
    make_up = client.get("/calendar/day/", {"date": "2026-10-10"}).json()
    assert make_up == {
        "date": "2026-10-10",
        "working": True,
        "effective_deadline": "2026-10-10",
        "source": SOURCE_PACKAGE,
        "message": "",
    }
    spring_2027 = client.get("/calendar/day/", {"date": "2027-02-08"}).json()
    assert spring_2027["working"] is False and spring_2027["source"] == SOURCE_COMPUTED
    assert client.get("/calendar/day/", {"date": "19/12/2026"}).status_code == 400
    assert client.get("/calendar/day/").status_code == 400


def test_staff_are_warned_when_a_campaign_deadline_falls_on_a_day_off(client, staff):
    from organizations.models import InspectionCampaign

    client.force_login(staff)
    form_page = client.get(reverse("organizations:campaigns")).content.decode()
    assert "data-deadline-check" in form_page and "js/deadline.js" in form_page
    # the default deadline, 31 May 2026, is a Sunday
    response = client.post(
        reverse("organizations:campaigns"),
        {"year": 2025, "opens_on": "2026-01-05"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = response.content.decode()
    assert InspectionCampaign.objects.get(year=2025).deadline == date(2026, 5, 31)
    assert "is not a working day: the deadline runs until the end of" in page
    client.post(
        reverse("organizations:campaigns"), {"year": 2024, "opens_on": "2025-01-06", "deadline": "2025-06-03"}
    )
    response = client.get(reverse("organizations:campaigns"), HTTP_ACCEPT_LANGUAGE="en")
    assert "is not a working day" not in response.content.decode()
