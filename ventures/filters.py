import django_filters

from ventures.models import Application, Category


class VentureApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Application.Status.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    round = django_filters.NumberFilter(field_name="round_id")

    class Meta:
        model = Application
        fields = ["status", "category", "round"]


class VentureRankingFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=Category.choices)

    class Meta:
        model = Application
        fields = ["category"]
