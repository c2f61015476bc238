"""Reminders and escalations of incubation. Each is keyed by subject + occasion
(`reminder_send_once`), so a job may run any number of times and sends each once."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from center.calendar import working_days_between
from center.services import reminder_send_once
from incubation.models import Agreement, Application, FollowUp, Handover, QuarterlyReport
from incubation.services import _fmt_date, _incubatee_people, base_managers, operations_staff

REPORT_DAYS = (10, 3)
EXPIRY_DAYS = (60, 30)
ANSWER_REMINDER_DAYS = (1,)
HANDOVER_REMINDER_DAYS = (5, 1)


def send_application_deadlines(*, today: date) -> int:
    """Remind the base's managers one working day before the 5-working-day answer deadline
    of a submitted application; escalate to the department once it is overdue."""
    sent = 0
    open_apps = Application.objects.filter(
        status=Application.Status.SUBMITTED, answer_due__isnull=False
    ).select_related("incubatee", "call__base__street")
    for app in open_apps.iterator(chunk_size=500):
        left = working_days_between(today, app.answer_due)
        url = reverse("incubation:application_detail", args=[app.pk])
        if left in ANSWER_REMINDER_DAYS:
            sent += reminder_send_once(
                key=f"incubation:application:{app.pk}:answer-{left}wd",
                users=base_managers(app.call.base),
                title=_("Answer the entry application of %(n)s by %(d)s")
                % {"n": app.incubatee.name, "d": _fmt_date(app.answer_due)},
                url=url,
            )
        elif today > app.answer_due:
            sent += reminder_send_once(
                key=f"incubation:application:{app.pk}:overdue",
                users=[u for u in operations_staff() if u.department in ("operations", "admin")],
                title=_("Overdue: the entry application of %(n)s was due for an answer on %(d)s")
                % {"n": app.incubatee.name, "d": _fmt_date(app.answer_due)},
                url=url,
            )
    return sent


def send_report_reminders(*, today: date) -> int:
    """10 and 3 working days before a quarterly report is due, and once when overdue."""
    sent = 0
    due = QuarterlyReport.objects.filter(
        status=QuarterlyReport.Status.DUE,
        agreement__status=Agreement.Status.ACTIVE,
        due_on__lte=today + timedelta(days=30),
    ).select_related("agreement__incubatee__contact")
    for report in due.iterator(chunk_size=500):
        left = working_days_between(today, report.due_on)
        if left not in REPORT_DAYS and left >= 0:
            continue
        occasion = "overdue" if left < 0 else f"due-{left}wd"
        sent += reminder_send_once(
            key=f"incubation:report:{report.pk}:{occasion}",
            users=_incubatee_people(report.agreement.incubatee),
            title=(
                _("Quarterly report %(y)d Q%(q)d is overdue (due %(d)s)")
                if left < 0
                else _("Quarterly report %(y)d Q%(q)d due on %(d)s")
            )
            % {"y": report.year, "q": report.quarter, "d": _fmt_date(report.due_on)},
            url=reverse("incubation:report_detail", args=[report.pk]),
        )
    return sent


def send_expiry_reminders(*, today: date) -> int:
    """60 and 30 days before an agreement ends, to the incubatee and the department."""
    sent = 0
    soon = Agreement.objects.filter(
        status=Agreement.Status.ACTIVE, ends_on__in=[today + timedelta(days=d) for d in EXPIRY_DAYS]
    ).select_related("incubatee__contact", "space__base__street")
    for agreement in soon:
        left = (agreement.ends_on - today).days
        managers = base_managers(agreement.space.base) if agreement.space_id else operations_staff()
        sent += reminder_send_once(
            key=f"incubation:agreement:{agreement.pk}:expiry-{left}d",
            users=_incubatee_people(agreement.incubatee) + managers,
            title=_("Incubation agreement %(no)s (%(n)s) ends on %(d)s")
            % {"no": agreement.number, "n": agreement.incubatee.name, "d": _fmt_date(agreement.ends_on)},
            body=_("A renewal can be requested on the agreement's page."),
            url=reverse("incubation:agreement_detail", args=[agreement.pk]),
        )
    return sent


def send_handover_reminders(*, today: date) -> int:
    sent = 0
    for handover in Handover.objects.filter(status=Handover.Status.OPEN).select_related(
        "agreement__incubatee", "agreement__space__base__street"
    ):
        left = working_days_between(today, handover.due_on)
        if left not in HANDOVER_REMINDER_DAYS and left >= 0:
            continue
        occasion = "overdue" if left < 0 else f"due-{left}wd"
        agreement = handover.agreement
        managers = base_managers(agreement.space.base) if agreement.space_id else operations_staff()
        sent += reminder_send_once(
            key=f"incubation:handover:{handover.pk}:{occasion}",
            users=managers,
            title=(
                _("Overdue handover: %(n)s (due %(d)s)") if left < 0 else _("Handover of %(n)s due on %(d)s")
            )
            % {"n": agreement.incubatee.name, "d": _fmt_date(handover.due_on)},
            url=reverse("incubation:handover_detail", args=[handover.pk]),
        )
    return sent


def send_follow_ups(*, today: date) -> int:
    sent = 0
    for fu in FollowUp.objects.filter(status=FollowUp.Status.DUE, due_on__lte=today).select_related(
        "agreement__incubatee__contact"
    ):
        sent += reminder_send_once(
            key=f"incubation:follow-up:{fu.pk}",
            users=_incubatee_people(fu.agreement.incubatee),
            title=_("How are you doing, %(n)s? (%(m)d months after the incubation)")
            % {"n": fu.agreement.incubatee.name, "m": fu.months},
            url=reverse("incubation:follow_up_answer", args=[fu.pk]),
        )
    return sent


def expire_agreements(*, today: date) -> int:
    """Agreements past their end become expired (the space is free again)."""
    from incubation.services import agreement_transition

    n = 0
    for agreement in Agreement.objects.filter(status=Agreement.Status.ACTIVE, ends_on__lt=today):
        agreement_transition(
            agreement, to=Agreement.Status.EXPIRED, by=None, reason=_("Term ended"), today=today
        )
        n += 1
    return n
