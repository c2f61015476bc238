import unicodedata
from decimal import Decimal, InvalidOperation
from itertools import zip_longest

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from center.forms import DeadlineDateInput
from center.models import NetworkUnit
from ventures.models import Application, Category, Evaluation, Fund, Objection, Round, Trigger

_SEPARATORS = (";", "；", "|", "\t")


def parse_amount(text: str) -> Decimal:
    """An amount as people type it: "24,000", "24 000", "２４，０００", "¥24,000.50", "24000元".

    Full-width digits and separators are folded to ASCII (NFKC); thousands separators, spaces,
    the yuan sign and the 元 unit are dropped. Raises InvalidOperation when no number is left."""
    value = unicodedata.normalize("NFKC", str(text or "")).strip()
    for ch in (",", " ", "\u00a0", "¥", "￥", "元", "、"):
        value = value.replace(ch, "")
    if not value:
        raise InvalidOperation(text)
    amount = Decimal(value)
    if not amount.is_finite():
        raise InvalidOperation(text)
    return amount


def parse_lines(text: str, *, numeric_second: bool) -> list[tuple]:
    """'item ; amount' (or 'month ; milestone') per line -> list of pairs."""
    rows = []
    for n, raw in enumerate((text or "").splitlines(), start=1):
        raw = raw.strip()
        if not raw:
            continue
        sep = next((s for s in _SEPARATORS if s in raw), None)
        if sep is None:
            raise forms.ValidationError(_("Line %(n)d: separate the two parts with “;” or “；”.") % {"n": n})
        parts = raw.rsplit(sep, 1) if numeric_second else raw.split(sep, 1)
        a, b = (p.strip() for p in parts)
        try:
            if numeric_second:
                rows.append((a, parse_amount(b)))
            else:
                rows.append((int(unicodedata.normalize("NFKC", a)), b))
        except (InvalidOperation, ValueError) as exc:
            raise forms.ValidationError(
                _("Line %(n)d: “%(v)s” is not a number.") % {"n": n, "v": b if numeric_second else a}
            ) from exc
    return rows


class BudgetTableWidget(forms.Widget):
    """Budget lines as a table: one row per line (item, amount), rows added and removed in the
    page (static/js/budget.js). Posts `<name>-item` and `<name>-amount` lists; the old
    one-text-box form (`item ; amount` per line) is still understood."""

    template_name = "ventures/widgets/budget_table.html"
    EMPTY_ROWS = 1  # blank rows after the filled ones, so the table can be filled without JavaScript

    def value_from_datadict(self, data, files, name):
        if f"{name}-item" in data or f"{name}-amount" in data:
            items = data.getlist(f"{name}-item") if hasattr(data, "getlist") else data.get(f"{name}-item", [])
            amounts = (
                data.getlist(f"{name}-amount") if hasattr(data, "getlist") else data.get(f"{name}-amount", [])
            )
            rows = list(zip_longest(items, amounts, fillvalue=""))
            return [(str(i).strip(), str(a).strip()) for i, a in rows if str(i).strip() or str(a).strip()]
        text = data.get(name)
        if text is None:
            return None
        rows = []
        for raw in str(text).splitlines():
            raw = raw.strip()
            if not raw:
                continue
            sep = next((s for s in _SEPARATORS if s in raw), None)
            item, amount = raw.rsplit(sep, 1) if sep else (raw, "")
            rows.append((item.strip(), amount.strip()))
        return rows

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-item" not in data and name not in data

    def format_value(self, value):
        rows = []
        for item, amount in value or []:
            if isinstance(amount, Decimal):
                amount = f"{amount:,.2f}"
            rows.append((item, amount))
        return rows

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = context["widget"]["value"] or []
        context["widget"]["rows"] = list(rows) + [("", "")] * max(self.EMPTY_ROWS, 3 - len(rows))
        return context


class BudgetLinesField(forms.Field):
    """A list of (item, Decimal amount) from the budget table; every bad row is named."""

    widget = BudgetTableWidget

    def to_python(self, value):
        if not value:
            return []
        rows, errors = [], []
        for n, (item, amount) in enumerate(value, start=1):
            if not item:
                errors.append(forms.ValidationError(_("Line %(n)d: name the item.") % {"n": n}))
                continue
            if not amount:
                errors.append(forms.ValidationError(_("Line %(n)d: give the amount.") % {"n": n}))
                continue
            try:
                parsed = parse_amount(amount)
            except (InvalidOperation, ValueError):
                errors.append(
                    forms.ValidationError(
                        _("Line %(n)d: “%(v)s” is not an amount (write it like 24,000 or 24000.50).")
                        % {"n": n, "v": amount}
                    )
                )
                continue
            if parsed < 0 or parsed != parsed.quantize(Decimal("0.01")):
                errors.append(
                    forms.ValidationError(
                        _("Line %(n)d: an amount is at least 0, with at most two decimals.") % {"n": n}
                    )
                )
                continue
            rows.append((item[:200], parsed))
        if errors:
            raise forms.ValidationError(errors)
        return rows

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(_("Add at least one budget line."), code="required")


class ApplicationForm(forms.ModelForm):
    organization = forms.ModelChoiceField(queryset=None, label=_("Applicant organization"))
    budget_text = BudgetLinesField(
        label=_("Budget lines"),
        help_text=_(
            "One row per item, amounts in yuan (24,000 or 24000.50). The lines must add up to the amount requested."
        ),
    )
    milestones_text = forms.CharField(
        label=_("Milestones"),
        widget=forms.Textarea,
        required=False,
        help_text=_("One line per milestone: month ; what is done by then."),
    )
    team_text = forms.CharField(
        label=_("Team"),
        widget=forms.Textarea,
        required=False,
        help_text=_("One line per member: name ; role and qualification."),
    )

    class Meta:
        model = Application
        fields = [
            "category",
            "title",
            "summary",
            "need",
            "target_group",
            "activity_plan",
            "street",
            "community",
            "duration_months",
            "start_date",
            "requested_amount",
            "co_funding",
            "expected_direct",
            "expected_indirect",
        ]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, round, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        self.fields["organization"].queryset = organizations
        if self.instance.pk:
            del self.fields["organization"]
            self.initial["budget_text"] = [(b.item, b.amount) for b in self.instance.budget_lines.all()]
            self.initial["milestones_text"] = "\n".join(
                f"{m.month} ; {m.description}" for m in self.instance.milestones.all()
            )
            self.initial["team_text"] = "\n".join(
                f"{t.get('name', '')} ; {t.get('role', '')}" for t in self.instance.team or []
            )
        elif organizations.count() == 1:
            self.initial["organization"] = organizations.first()
        self.fields["category"].choices = round.category_choices()
        self.fields["street"].queryset = NetworkUnit.objects.filter(level=NetworkUnit.Level.STREET)
        self.fields["community"].queryset = NetworkUnit.objects.filter(level=NetworkUnit.Level.COMMUNITY)
        self.fields["requested_amount"].help_text = _("At most %(cap)s yuan.") % {"cap": f"{round.cap:,.2f}"}

    def clean_milestones_text(self):
        return parse_lines(self.cleaned_data["milestones_text"], numeric_second=False)

    def clean_team_text(self):
        team = []
        for line in (self.cleaned_data["team_text"] or "").splitlines():
            if line.strip():
                name, _sep, role = line.replace("；", ";").partition(";")
                team.append({"name": name.strip(), "role": role.strip()})
        return team

    def clean_requested_amount(self):
        value = self.cleaned_data["requested_amount"]
        if value is not None and value > self.round.cap:
            raise forms.ValidationError(_("At most %(cap)s yuan.") % {"cap": f"{self.round.cap:,.2f}"})
        return value

    def clean(self):
        cleaned = super().clean()
        street, community = cleaned.get("street"), cleaned.get("community")
        if community is not None:
            if street is None:
                cleaned["street"] = community.parent
            elif community.parent_id != street.pk:
                self.add_error("community", _("This community is not in the chosen street / town."))
        return cleaned

    def service_data(self) -> dict:
        data = {k: self.cleaned_data[k] for k in self.Meta.fields}
        data["team"] = self.cleaned_data["team_text"]
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Attachment (PDF, Word, Excel or image, at most 10 MB)"))


class InfoAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), widget=forms.Textarea)


class ScreeningForm(forms.Form):
    DECISIONS = [
        ("eligible", _("Eligible")),
        ("ineligible", _("Ineligible")),
        ("info", _("Ask for more information")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason / request"), widget=forms.Textarea)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)


class AwardForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Award (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )


class ObjectionForm(forms.ModelForm):
    class Meta:
        model = Objection
        fields = ["name", "contact", "reason"]


class ObjectionResolveForm(forms.Form):
    uphold = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "1",
        choices=[("0", _("Dismiss")), ("1", _("Uphold: withdraw the award"))],
    )
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea)


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Overall comment"), widget=forms.Textarea, required=False)

    def __init__(self, *args, criteria, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        existing = {s.criterion_id: s for s in review.scores.all()} if review else {}
        self.criteria = list(criteria)
        for c in self.criteria:
            s = existing.get(c.pk)
            self.fields[f"score_{c.pk}"] = forms.DecimalField(
                label=_("%(name)s (weight %(w)s%%)") % {"name": c.name, "w": c.weight},
                min_value=0,
                max_value=100,
                decimal_places=2,
                required=False,
                initial=s.score if s else None,
                help_text=c.description,
                # The scale is shown beside the box and the weighted total is worked out live
                # (static/js/scoring.js).
                widget=forms.NumberInput(
                    attrs={
                        "min": 0,
                        "max": 100,
                        "step": "0.5",
                        "inputmode": "decimal",
                        "data-weight": c.weight,
                    }
                ),
            )
            self.fields[f"note_{c.pk}"] = forms.CharField(
                label=_("Comment on %(c)s") % {"c": c.name}, required=False, initial=s.comment if s else ""
            )
        if review:
            self.initial["comment"] = review.comment

    def rows(self):
        """One row per criterion for the scoring table: the criterion, its score and comment boxes."""
        return [(c, self[f"score_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict:
        return {
            c.pk: (self.cleaned_data.get(f"score_{c.pk}"), self.cleaned_data.get(f"note_{c.pk}", ""))
            for c in self.criteria
        }


class ReportForm(forms.Form):
    activities = forms.CharField(label=_("Activities done"), widget=forms.Textarea)
    actual_direct = forms.IntegerField(label=_("Actual direct beneficiaries"), min_value=0)
    actual_indirect = forms.IntegerField(label=_("Actual indirect beneficiaries"), min_value=0)
    receipt = forms.FileField(label=_("Receipts (PDF or image)"), required=False)

    def __init__(self, *args, budget_lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(budget_lines)
        for line in self.lines:
            self.fields[f"spent_{line.pk}"] = forms.DecimalField(
                label=_("Spent on “%(item)s” (planned %(amount)s)")
                % {"item": line.item, "amount": f"{line.amount:,.2f}"},
                min_value=0,
                decimal_places=2,
                max_digits=12,
            )

    def spending(self) -> dict:
        return {line.pk: self.cleaned_data[f"spent_{line.pk}"] for line in self.lines}


class EvaluationForm(forms.Form):
    score = forms.DecimalField(label=_("Score"), min_value=0, max_value=100, decimal_places=2)
    result = forms.ChoiceField(label=_("Result"), choices=Evaluation.Result.choices)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea, required=False)


class FundForm(forms.ModelForm):
    class Meta:
        model = Fund
        fields = ["name", "source", "year", "budget"]


class RoundForm(forms.ModelForm):
    """A round's whole configuration; rubric and schedule as one line per row."""

    categories = forms.MultipleChoiceField(
        label=_("Service categories"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    rubric_text = forms.CharField(
        label=_("Scoring rubric"),
        widget=forms.Textarea,
        help_text=_("One line per criterion: name ; weight. The weights must sum to 100."),
    )
    schedule_text = forms.CharField(
        label=_("Installment schedule"),
        widget=forms.Textarea,
        help_text=_(
            "One line per installment: percent ; when it is paid, as shown (on signing the agreement, after the "
            "mid-term evaluation passes, after the final evaluation passes). Percents sum to 100."
        ),
    )

    class Meta:
        model = Round
        fields = [
            "fund",
            "year",
            "title",
            "description",
            "categories",
            "cap",
            "budget",
            "call_opens",
            "call_closes",
            "screening_deadline",
            "review_deadline",
            "notice_working_days",
            "min_months",
            "max_months",
            "require_verified",
            "exclude_abnormal",
            "no_double_funding",
            "reviewers_per_application",
            "blind_review",
        ]
        widgets = {
            "call_opens": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "call_closes": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "screening_deadline": DeadlineDateInput(),
            "review_deadline": DeadlineDateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from ventures.services import DEFAULT_RUBRIC, DEFAULT_SCHEDULE

        if self.instance.pk:
            self.initial["rubric_text"] = "\n".join(
                f"{c.name} ; {c.weight}" for c in self.instance.criteria.all()
            )
            self.initial["schedule_text"] = "\n".join(
                f"{r.percent} ; {r.get_trigger_display()}" for r in self.instance.installment_rules.all()
            )
        else:
            self.initial["rubric_text"] = "\n".join(f"{_(n)} ; {w}" for n, w in DEFAULT_RUBRIC)
            self.initial["schedule_text"] = "\n".join(
                f"{p} ; {Trigger(t).label}" for p, t in DEFAULT_SCHEDULE
            )
            self.initial.setdefault("categories", ["elderly", "disabled", "orphans", "poor"])

    def clean_rubric_text(self):
        rows = [
            (name, int(w)) for name, w in parse_lines(self.cleaned_data["rubric_text"], numeric_second=True)
        ]
        if sum(w for _n, w in rows) != 100:
            raise forms.ValidationError(
                _("The weights must sum to 100 (they sum to %(n)d).") % {"n": sum(w for _n, w in rows)}
            )
        return rows

    def clean_schedule_text(self):
        rows = []
        # a trigger is written as its code (signing) or its label in any of the portal's languages
        known = {c: c for c in Trigger.values}
        for lang, _name in settings.LANGUAGES:
            with translation.override(lang):
                known |= {str(label).casefold(): c for c, label in Trigger.choices}
        for pct, trig in parse_lines(self.cleaned_data["schedule_text"], numeric_second=False):
            code = known.get(trig) or known.get(trig.casefold())
            if code is None:
                raise forms.ValidationError(_("“%(t)s” is not a trigger.") % {"t": trig})
            rows.append((pct, code))
        if sum(p for p, _t in rows) != 100:
            raise forms.ValidationError(_("The percents must sum to 100."))
        return rows

    def service_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields}
