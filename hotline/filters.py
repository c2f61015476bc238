import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hotline.models import ServiceCategory, Ticket


class TicketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Ticket.Status.choices)
    ticket_type = django_filters.ChoiceFilter(label=_("Type"), choices=Ticket.Type.choices)
    category = django_filters.ModelChoiceFilter(
        label=pgettext_lazy("hotline", "Category"), queryset=ServiceCategory.objects.all()
    )
    urgency = django_filters.ChoiceFilter(label=_("Urgency"), choices=Ticket.Urgency.choices)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Ticket.Channel.choices)

    class Meta:
        model = Ticket
        fields = ["q", "status", "ticket_type", "category", "urgency", "channel"]

    def search(self, queryset, name, value):
        """Tracking number, words of the title, or the caller's full phone number."""
        value = value.strip()
        if not value:
            return queryset
        cond = Q(tracking_number=value.upper()) | Q(title__icontains=value)
        if value.isdigit() and len(value) >= 7:
            cond |= Q(phone=value)
        return queryset.filter(cond)
