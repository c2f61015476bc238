from django.urls import path

from incubation import apis

app_name = "incubation-api"

urlpatterns = [
    path("incubation/spaces/", apis.IncubationSpaceListApi.as_view(), name="space-list"),
    path("incubation/bookings/", apis.IncubationBookingListApi.as_view(), name="booking-list"),
    path("incubation/bookings/create/", apis.IncubationBookingCreateApi.as_view(), name="booking-create"),
    path(
        "incubation/bookings/<int:pk>/cancel/",
        apis.IncubationBookingCancelApi.as_view(),
        name="booking-cancel",
    ),
    path("incubation/applications/", apis.IncubationApplicationListApi.as_view(), name="application-list"),
    path("incubation/agreements/", apis.IncubationAgreementListApi.as_view(), name="agreement-list"),
    path(
        "incubation/agreements/<int:pk>/",
        apis.IncubationAgreementDetailApi.as_view(),
        name="agreement-detail",
    ),
]
