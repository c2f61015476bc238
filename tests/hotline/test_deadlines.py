"""Deadlines in working days across the 2026 Spring Festival and National Day."""

import pytest
from django.utils import timezone

from hotline import deadlines
from hotline.models import DeadlinePolicy
from tests.hotline.factories import aware

pytestmark = pytest.mark.django_db


def _day(dt):
    return timezone.localtime(dt).date().isoformat()


@pytest.mark.parametrize(
    "start, ticket_type, urgency, expected",
    [
        # Fri Feb 13; Sat Feb 14 is a make-up working day, Feb 15-23 off.
        ((2026, 2, 13), "consultation", "normal", "2026-02-25"),  # 14, 24, 25
        ((2026, 2, 13), "help", "normal", "2026-02-27"),  # 14, 24, 25, 26, 27
        ((2026, 2, 13), "complaint", "normal", "2026-03-10"),  # 14, 24-27, Sat 28 (make-up), Mar 2-6, 9, 10
        ((2026, 2, 14), "help", "urgent", "2026-02-14"),  # make-up Saturday counts as "today"
        ((2026, 2, 16), "help", "urgent", "2026-02-24"),  # filed on a holiday: next working day
        # National Day: Oct 1-7 off (chinese-calendar), Sat Oct 10 make-up working day.
        ((2026, 9, 30), "consultation", "normal", "2026-10-10"),  # Oct 8, 9, 10
        ((2026, 9, 30), "help", "normal", "2026-10-13"),  # Oct 8, 9, 10, 12, 13
    ],
)
def test_answer_deadline(start, ticket_type, urgency, expected):
    due = deadlines.answer_due(start=aware(*start), ticket_type=ticket_type, urgency=urgency)
    assert _day(due) == expected
    assert timezone.localtime(due).hour == 23


def test_sign_due_skips_the_holiday():
    assert _day(deadlines.sign_due(aware(2026, 2, 14, 15))) == "2026-02-24"
    assert _day(deadlines.sign_due(aware(2026, 10, 9, 15))) == "2026-10-10"


def test_policy_is_configurable():
    DeadlinePolicy.objects.filter(key="consultation").update(working_days=1)
    due = deadlines.answer_due(start=aware(2026, 2, 13), ticket_type="consultation", urgency="normal")
    assert _day(due) == "2026-02-14"
