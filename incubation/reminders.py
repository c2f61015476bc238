"""Reminders and escalations of incubation. Each is keyed by subject + occasion
(`reminder_send_once`), so a job may run any number of times and sends each once."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from center.calendar import reminder_occasion
from center.services import reminder_send_once
from incubation.models import Agreement, Application, FollowUp, Handover, QuarterlyReport
from incubation.services import _fmt_date, _incubatee_people, base_managers, operations_staff

REPORT_DAYS = (10, 3)
EXPIRY_DAYS = (60, 30)
ANSWER_REMINDER_DAYS = (1,)
HANDOVER_REMINDER_DAYS = (5, 1)


def _expiry_occasion(today: date, ends_on: date) -> int | None:
    """The expiry reminder due on `today`: 60 or 30 (days before the end), or None. Like
    `reminder_occasion`, the smallest mark not below the days left, so a job that missed the
    exact day still sends that reminder once on its next run."""
    left = (ends_on - today).days
    if left < 0:
        return None
    due = [d for d in EXPIRY_DAYS if left <= d]
    return min(due) if due else None


def send_application_deadlines(*, today: date) -> int:
    """Remind the base's managers one working day before the 5-working-day answer deadline
    of a submitted application; escalate to the department once it is overdue."""
    sent = 0
    open_apps = Application.objects.filter(
        status=Application.Status.SUBMITTED, answer_due__isnull=False
    ).select_related("incubatee", "call__base__street")
    for app in open_apps.iterator(chunk_size=500):
        occasion = reminder_occasion(today, app.answer_due, ANSWER_REMINDER_DAYS)
        if occasion is None:
            continue
        url = reverse("incubation:application_detail", args=[app.pk])
        if occasion == "overdue":
            sent += reminder_send_once(
                key=f"incubation:application:{app.pk}:overdue:{app.answer_due:%Y%m%d}",
                users=_escalation_people(app.call.base),
                title=_("Overdue: the entry application of %(n)s was due for an answer on %(d)s")
                % {"n": app.incubatee.name, "d": _fmt_date(app.answer_due)},
                url=url,
            )
        else:
            sent += reminder_send_once(
                key=f"incubation:application:{app.pk}:answer-{occasion}:{app.answer_due:%Y%m%d}",
                users=_workers(app.call.base),
                title=_("Answer the entry application of %(n)s by %(d)s")
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
        occasion = reminder_occasion(today, report.due_on, REPORT_DAYS)
        if occasion is None:
            continue
        sent += reminder_send_once(
            key=f"incubation:report:{report.pk}:{occasion}",
            users=_incubatee_people(report.agreement.incubatee),
            title=(
                _("Quarterly report %(y)d Q%(q)d is overdue (due %(d)s)")
                if occasion == "overdue"
                else _("Quarterly report %(y)d Q%(q)d due on %(d)s")
            )
            % {"y": report.year, "q": report.quarter, "d": _fmt_date(report.due_on)},
            url=reverse("incubation:report_detail", args=[report.pk]),
        )
    return sent


def send_expiry_reminders(*, today: date) -> int:
    """60 and 30 days before an agreement ends, to the incubatee and the base's managers.
    Keyed by the end date too: a renewed agreement is reminded again before its new end."""
    sent = 0
    soon = Agreement.objects.filter(
        status=Agreement.Status.ACTIVE,
        ends_on__gte=today,
        ends_on__lte=today + timedelta(days=max(EXPIRY_DAYS)),
    ).select_related("incubatee__contact", "space__base__street")
    for agreement in soon:
        mark = _expiry_occasion(today, agreement.ends_on)
        if mark is None:
            continue
        managers = base_managers(agreement.space.base) if agreement.space_id else operations_staff()
        sent += reminder_send_once(
            key=f"incubation:agreement:{agreement.pk}:expiry-{mark}d:{agreement.ends_on:%Y%m%d}",
            users=_unique(_incubatee_people(agreement.incubatee) + managers),
            title=_("Incubation agreement %(no)s (%(n)s) ends on %(d)s")
            % {"no": agreement.number, "n": agreement.incubatee.name, "d": _fmt_date(agreement.ends_on)},
            body=_("A renewal can be requested on the agreement's page."),
            url=reverse("incubation:agreement_detail", args=[agreement.pk]),
        )
    return sent


def send_handover_reminders(*, today: date) -> int:
    """5 and 1 working days before a handover is due (15 working days after it started), to
    those who do it (a sub-base's street handlers, else the department's staff); once it is
    overdue, an escalation to the department and the center's admins."""
    sent = 0
    for handover in Handover.objects.filter(status=Handover.Status.OPEN).select_related(
        "agreement__incubatee", "agreement__space__base__street"
    ):
        occasion = reminder_occasion(today, handover.due_on, HANDOVER_REMINDER_DAYS)
        if occasion is None:
            continue
        agreement = handover.agreement
        base = agreement.space.base if agreement.space_id else None
        overdue = occasion == "overdue"
        sent += reminder_send_once(
            key=f"incubation:handover:{handover.pk}:{occasion}",
            users=_escalation_people(base) if overdue else _workers(base),
            title=(
                _("Overdue handover: %(n)s (due %(d)s)") if overdue else _("Handover of %(n)s due on %(d)s")
            )
            % {"n": agreement.incubatee.name, "d": _fmt_date(handover.due_on)},
            url=reverse("incubation:handover_detail", args=[handover.pk]),
        )
    return sent


def send_follow_ups(*, today: date) -> int:
    """Alumni follow-ups 6 and 12 months after leaving: each asked once, when due."""
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


def _unique(users) -> list:
    seen: dict[int, object] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())


def _workers(base) -> list:
    """Who does a base's work: the street's handlers for a sub-base, the department's staff
    for the district base (or virtual incubation, base None)."""
    if base is not None and base.street_id:
        return [u for u in base_managers(base) if u.role == u.Role.HANDLER]
    return [u for u in operations_staff() if u.department == "operations"]


def _escalation_people(base) -> list:
    """Who hears of an overdue task: the department and the center's admins, plus the
    street's handlers for a sub-base."""
    return _unique(base_managers(base) if base is not None else operations_staff())


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
