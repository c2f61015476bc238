"""The shared kernel: transition, allowed_next, money, dates, page errors."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from center.dates import add_months, add_years
from center.errors import DomainError, TransitionError
from center.money import MoneyField, format_wan, format_yuan
from center.pages import add_domain_error, domain_error_message
from center.workflow import TransitionResult, allowed_next, transition
from tests.ventures.factories import make_draft, make_org_user, make_round
from ventures.models import Application, ApplicationStatusChange

SH = ZoneInfo("Asia/Shanghai")
PIPE = {"draft": {"submitted"}, "submitted": {"eligible", "ineligible", "info_requested"}}


@pytest.fixture
def applicant(db):
    return make_org_user("kernel_org_t")


@pytest.fixture
def app(applicant, staff, time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 9, 0, tzinfo=SH), tick=False)
    user, org = applicant
    return make_draft(make_round(staff), org, user)


def test_transition_writes_status_updated_at_and_one_history_row(app, applicant, time_machine):
    user, _org = applicant
    created = Application.objects.get(pk=app.pk).updated_at
    later = datetime(2026, 3, 5, 10, 30, tzinfo=SH)
    time_machine.move_to(later, tick=False)
    result = transition(
        app, to="submitted", pipeline=PIPE, by=user, reason="ready", history_model=ApplicationStatusChange
    )
    assert isinstance(result, TransitionResult)
    assert (result.changed, result.old, result.new) == (True, "draft", "submitted")
    stored = Application.objects.get(pk=app.pk)
    assert stored.status == "submitted"
    assert stored.updated_at == later != created  # the old transition never wrote updated_at
    assert app.status == "submitted" and app.updated_at == later  # caller's copy kept in step
    row = ApplicationStatusChange.objects.get(application=app)
    assert (row.from_status, row.to_status, row.by, row.reason, row.at) == (
        "draft",
        "submitted",
        user,
        "ready",
        later,
    )


def test_noop_on_a_stale_copy_returns_unchanged_and_writes_nothing(app, applicant):
    user, _org = applicant
    stale = Application.objects.get(pk=app.pk)
    transition(app, to="submitted", pipeline=PIPE, by=user, history_model=ApplicationStatusChange)
    calls = []
    result = transition(
        stale,
        to="submitted",
        pipeline=PIPE,
        by=user,
        history_model=ApplicationStatusChange,
        history=lambda *a: calls.append(a),
        extra_updates={"title": "rewritten"},
    )
    assert result.changed is False and result.old == "submitted"
    assert calls == [] and ApplicationStatusChange.objects.filter(application=app).count() == 1
    assert Application.objects.get(pk=app.pk).title != "rewritten"


def test_decision_is_taken_on_the_locked_row_not_the_callers_copy(app, applicant):
    user, _org = applicant
    stale = Application.objects.get(pk=app.pk)
    transition(app, to="submitted", pipeline=PIPE, by=user, history_model=ApplicationStatusChange)
    # The stale copy still says "draft": draft -> submitted would pass on it, but the row is
    # already submitted, so submitted -> eligible is what is checked.
    seen = []
    result = transition(
        stale,
        to="eligible",
        pipeline=PIPE,
        by=None,
        history_model=ApplicationStatusChange,
        extra_updates=lambda locked, old: seen.append((locked.status, old)) or {},
    )
    assert result.old == "submitted" and seen == [("submitted", "submitted")]
    assert ApplicationStatusChange.objects.filter(application=app, by=None).count() == 1


def test_refused_transition_raises_and_writes_nothing(app, applicant):
    user, _org = applicant
    with pytest.raises(TransitionError) as exc:
        transition(app, to="eligible", pipeline=PIPE, by=user, history_model=ApplicationStatusChange)
    assert exc.value.status == 409 and exc.value.details == {"from": "draft", "to": "eligible"}
    assert Application.objects.get(pk=app.pk).status == "draft"
    assert not ApplicationStatusChange.objects.filter(application=app).exists()


def test_by_is_required():
    with pytest.raises(TypeError):
        transition(object(), to="x", pipeline={})  # type: ignore[call-arg]


def test_allowed_next_in_choice_order_with_guards(app):
    app.status = "submitted"
    assert set(allowed_next(app, pipeline=PIPE)) == {"eligible", "ineligible", "info_requested"}
    order = [v for v, _l in Application.Status.choices]
    got = allowed_next(app, pipeline=PIPE)
    assert got == sorted(got, key=order.index)
    guarded = allowed_next(app, pipeline=PIPE, user="u", guards={"ineligible": lambda obj, user: user == "x"})
    assert "ineligible" not in guarded and "eligible" in guarded
    app.status = "eligible"
    assert allowed_next(app, pipeline=PIPE) == []


# --- money ------------------------------------------------------------------------------


def test_format_yuan_never_drops_cents():
    assert format_yuan(40000) == "¥40,000.00"
    assert format_yuan(Decimal("1234.5")) == "¥1,234.50"
    assert format_yuan("0.005") == "¥0.01"
    assert format_yuan(Decimal("-12.3")) == "-¥12.30"
    assert format_yuan(None) == "—"


def test_format_wan_per_language():
    with translation.override("zh-hans"):
        assert format_wan(1445000) == "144.5 万元"
        assert format_wan(50000) == "5 万元"
    with translation.override("en"):
        assert format_wan(1445000) == "1.445 million yuan"


def test_template_filters_yuan_and_wan():
    with translation.override("en"):
        html = Template("{% load portal %}{{ a|yuan }} {{ a|yuan:False }} {{ b|wan }}").render(
            Context({"a": Decimal("1500.75"), "b": 1445000})
        )
    assert html == "¥1,500.75 1,500.75 1.445 million yuan"


def test_money_field_refuses_negative_values():
    field = MoneyField("amount")
    assert (field.max_digits, field.decimal_places) == (12, 2)
    with pytest.raises(ValidationError):
        field.clean(Decimal("-0.01"), None)
    assert field.clean(Decimal("0.00"), None) == Decimal("0.00")


# --- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 15), 12, date(2027, 3, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_add_years_on_29_february():
    assert add_years(date(2028, 2, 29), 5) == date(2033, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


# --- page errors ------------------------------------------------------------------------


def test_domain_error_message_and_form_error():
    request = RequestFactory().post("/")
    from django.contrib.messages.storage.fallback import FallbackStorage

    request.session = {}
    request._messages = FallbackStorage(request)
    domain_error_message(request, DomainError("Nope."))
    domain_error_message(request, ValidationError(["One.", "Two."]))
    assert [str(m) for m in get_messages(request)] == ["Nope.", "One.", "Two."]

    class F(forms.Form):
        amount = forms.IntegerField()

    form = F({"amount": "1"})
    assert form.is_valid()
    add_domain_error(form, DomainError("Too much.", details={"field": "amount"}))
    add_domain_error(form, DomainError("General."))
    assert form.errors == {"amount": ["Too much."], "__all__": ["General."]}
