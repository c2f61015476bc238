"""Review-deadline and report-due reminders. Every reminder is keyed by subject + occasion so
it is sent once, however often the job runs."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from center.calendar import effective_deadline, reminder_occasion, working_days_left
from center.models import User
from center.services import reminder_send_once
from organizations import selectors as org_selectors
from ventures.models import Application, ProgressReport, Review

REVIEW_REMINDER_DAYS = (3, 1)  # working days before the (effective) review deadline
REPORT_REMINDER_DAYS = (10, 3)  # working days before the (effective) report due date


def _projects_staff():
    return User.objects.filter(is_active=True, role=User.Role.STAFF, department__in=["projects", "admin"])


def send_review_reminders(*, today: date) -> int:
    sent = 0
    open_reviews = Review.objects.filter(
        status=Review.Status.ASSIGNED,
        application__status=Application.Status.IN_REVIEW,
        application__round__review_deadline__isnull=False,
    ).select_related("reviewer", "application__round")
    staff = None
    for review in open_reviews.iterator(chunk_size=500):
        deadline = review.application.round.review_deadline
        occasion = reminder_occasion(today, deadline, REVIEW_REMINDER_DAYS)
        if occasion is None:
            continue
        left = working_days_left(today, deadline)
        url = reverse("ventures:review_detail", args=[review.pk])
        if occasion != "overdue":
            sent += reminder_send_once(
                key=f"ventures:review:{review.pk}:{occasion}",
                users=[review.reviewer],
                title=_("Review due in %(n)d working day(s)") % {"n": left},
                body=_("Please submit your review of application %(id)d by %(d)s.")
                % {"id": review.application_id, "d": effective_deadline(deadline)},
                url=url,
            )
        else:
            staff = staff if staff is not None else list(_projects_staff())
            sent += reminder_send_once(
                key=f"ventures:review:{review.pk}:overdue",
                users=staff,
                title=_("Overdue review: application %(id)d") % {"id": review.application_id},
                body=_("Reviewer %(r)s has not submitted by %(d)s.") % {"r": review.reviewer, "d": deadline},
                url=reverse("ventures:application_detail", args=[review.application_id]),
            )
    return sent


def send_report_reminders(*, today: date) -> int:
    sent = 0
    due = ProgressReport.objects.filter(
        status=ProgressReport.Status.DUE,
        application__status__in=[
            Application.Status.IN_PROGRESS,
            Application.Status.MIDTERM_EVALUATED,
            Application.Status.AGREEMENT_SIGNED,
        ],
    ).select_related("application")
    for report in due.iterator(chunk_size=500):
        occasion = reminder_occasion(today, report.due_date, REPORT_REMINDER_DAYS)
        if occasion is not None:
            owners = list(org_selectors.organization_owners(report.application.organization_id))
            sent += reminder_send_once(
                key=f"ventures:report:{report.pk}:{occasion}",
                users=owners,
                title=_("%(kind)s due on %(d)s") % {"kind": report.get_kind_display(), "d": report.due_date},
                body=report.application.title,
                url=reverse("ventures:report", args=[report.pk]),
            )
    return sent
