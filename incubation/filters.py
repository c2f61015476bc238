import django_filters

from incubation.models import Agreement, Application, Booking


class IncubationApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Application.Status.choices)

    class Meta:
        model = Application
        fields = ["status"]


class IncubationAgreementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Agreement.Status.choices)

    class Meta:
        model = Agreement
        fields = ["status"]


class IncubationBookingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Booking.Status.choices)

    class Meta:
        model = Booking
        fields = ["status"]
