import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from center.models import NetworkUnit
from organizations.models import Organization, ServiceArea


class OrganizationDirectoryFilter(django_filters.FilterSet):
    """Directory search: name (Chinese substring) or credit code, type, street, service area, grade."""

    q = django_filters.CharFilter(label=_("name or credit code"), method="search")
    org_type = django_filters.ChoiceFilter(label=_("type"), choices=Organization.Type.choices)
    street = django_filters.ModelChoiceFilter(
        label=_("street / town"),
        queryset=NetworkUnit.objects.filter(level=NetworkUnit.Level.STREET).order_by("sort_order", "path"),
    )
    service_area = django_filters.ModelChoiceFilter(
        label=_("service area"),
        field_name="service_areas",
        queryset=ServiceArea.objects.all(),
        to_field_name="code",
    )
    grade = django_filters.ChoiceFilter(label=_("grade"), choices=Organization.Grade.choices)

    class Meta:
        model = Organization
        fields = ["q", "org_type", "street", "service_area", "grade"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        code = value.upper()
        if code.isascii() and code.isalnum() and len(code) >= 8:
            # looks like a credit code or a filing number: exact match (unique indexes)
            return queryset.filter(Q(credit_code=code) | Q(filing_number=code) | name_search(value))
        return queryset.filter(name_search(value))


def name_search(value: str) -> Q:
    """Substring match on the name, served by the pg_trgm indexes of migration 0003.

    Chinese has no letter case, and a case-sensitive LIKE on `name` is about three times
    cheaper than UPPER(name) LIKE UPPER(…) when PostgreSQL scans; names typed with Latin
    letters use the case-insensitive form (its own index on UPPER(name)).
    """
    if any(ch.isascii() and ch.isalpha() for ch in value):
        return Q(name__icontains=value)
    return Q(name__contains=value)
