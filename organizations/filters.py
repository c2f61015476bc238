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
        label=_("street / town"), queryset=NetworkUnit.objects.filter(level=NetworkUnit.Level.STREET).order_by("sort_order", "path")
    )
    service_area = django_filters.ModelChoiceFilter(
        label=_("service area"), field_name="service_areas", queryset=ServiceArea.objects.all(), to_field_name="code"
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
        if len(code) == 18 and code.isalnum():
            return queryset.filter(Q(credit_code=code) | Q(name__icontains=value))
        # icontains matches the pg_trgm index on UPPER(name) (migration 0003).
        return queryset.filter(Q(name__icontains=value) | Q(filing_number=code))
