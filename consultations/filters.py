import django_filters

from consultations.models import Event


class EventFilter(django_filters.FilterSet):
    kind = django_filters.CharFilter(field_name="kind__code")
    audience = django_filters.ChoiceFilter(choices=Event.Audience.choices)
    area = django_filters.CharFilter(field_name="service_areas__code")
    starts_after = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Event
        fields = ["kind", "audience", "area", "starts_after", "starts_before"]
