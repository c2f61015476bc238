from django.urls import path

from consultations import apis

app_name = "consultations-api"

urlpatterns = [
    path("consultations/events/", apis.EventListApi.as_view(), name="event-list"),
    path("consultations/events/<int:pk>/", apis.EventDetailApi.as_view(), name="event-detail"),
    path("consultations/events/<int:pk>/checkins/", apis.CheckInCreateApi.as_view(), name="checkin-create"),
    path("consultations/registrations/", apis.RegistrationListCreateApi.as_view(), name="registration-list"),
    path(
        "consultations/registrations/<str:code>/",
        apis.RegistrationDetailApi.as_view(),
        name="registration-detail",
    ),
    path(
        "consultations/registrations/<str:code>/cancel/",
        apis.RegistrationCancelApi.as_view(),
        name="registration-cancel",
    ),
    path("consultations/drafts/<int:pk>/opinions/", apis.OpinionListCreateApi.as_view(), name="opinion-list"),
]
