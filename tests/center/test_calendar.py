from datetime import date

import pytest

from center.calendar import (
    add_working_days,
    is_working_day,
    unknown_years,
    working_days_between,
    year_is_known,
)
from center.models import Holiday


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
    nxt = add_working_days(date(2026, 9, 30), 1)
    assert nxt.month == 10 and nxt.day >= 8
    assert not is_working_day(date(2026, 10, 1))
    assert is_working_day(date(2026, 10, 10))  # make-up Saturday
    assert working_days_between(date(2026, 9, 30), nxt) == 1


def test_add_and_between_are_inverse_over_a_year():
    start = date(2026, 1, 1)
    for n in (1, 5, 13, 30, 120):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_negative_counts_backwards():
    assert add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)


@pytest.mark.django_db
def test_2027_falls_back_to_weekends_plus_table():
    assert not year_is_known(2027)
    # No table rows: weekends only. Fri 1 Jan 2027 is a working day in the fallback.
    assert is_working_day(date(2027, 1, 1))
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)
    Holiday.objects.create(date=date(2027, 1, 1), kind=Holiday.Kind.HOLIDAY, name="元旦")
    Holiday.objects.create(date=date(2027, 1, 9), kind=Holiday.Kind.WORKDAY, name="调休")
    assert not is_working_day(date(2027, 1, 1))
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert is_working_day(date(2027, 1, 9))  # a Saturday made a working day by the table
    assert working_days_between(date(2027, 1, 4), date(2027, 1, 11)) == 6


@pytest.mark.django_db
def test_unknown_year_is_reported_and_admin_warns(client, staff, settings):
    assert 2027 in unknown_years(ahead=1) or date.today().year > 2027
    client.force_login(staff)
    response = client.get("/admin/center/holiday/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "has no schedule for 2027" in response.content.decode()
