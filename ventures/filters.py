import django_filters
from django.utils.translation import gettext_lazy as _

from ventures.models import Application, Category


class VentureApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Application.Status.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    round = django_filters.NumberFilter(field_name="round_id")

    class Meta:
        model = Application
        fields = ["status", "category", "round"]


class VentureRoundApplicationFilter(django_filters.FilterSet):
    """The staff list of one round's applications: the round is in the URL, not a filter."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        empty_label=_("All"),
        choices=[c for c in Application.Status.choices if c[0] != "draft"],
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All")
    )

    class Meta:
        model = Application
        fields = ["status", "category"]


class VentureRankingFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=Category.choices)

    class Meta:
        model = Application
        fields = ["category"]
