from django.urls import path

from consultations import views

app_name = "consultations"

urlpatterns = [
    # public events, calendar and feeds
    path("consultations/events/", views.event_list, name="event_list"),
    path("consultations/events/calendar/", views.event_calendar, name="event_calendar"),
    path("consultations/events.ics", views.events_feed, name="events_feed"),
    path("consultations/events/<int:pk>/", views.event_detail, name="event_detail"),
    path(
        "consultations/events/<int:pk>/attachments/<int:attachment_pk>/",
        views.event_attachment,
        name="event_attachment",
    ),
    path("consultations/events/<int:pk>/register/", views.event_register, name="event_register"),
    path("consultations/events/<int:pk>/event.ics", views.event_ics, name="event_ics"),
    path("consultations/feed/<str:token>.ics", views.personal_feed, name="personal_feed"),
    # a person's own registrations, codes and certificates
    path("consultations/mine/", views.my_registrations, name="registration_list"),
    path("consultations/registrations/<str:code>/", views.registration_detail, name="registration_detail"),
    path(
        "consultations/registrations/<str:code>/<slug:action>/",
        views.registration_action,
        name="registration_action",
    ),
    path("consultations/certificates/<int:pk>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path(
        "consultations/certificates/verify/<str:token>/", views.certificate_verify, name="certificate_verify"
    ),
    # consultations on drafts
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("consultations/drafts/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("consultations/drafts/<int:pk>/opinions/", views.opinion_create, name="opinion_create"),
    path("consultations/drafts/<int:pk>/speak/", views.speaker_apply, name="speaker_apply"),
    path(
        "consultations/drafts/<int:pk>/feedback/", views.consultation_feedback, name="consultation_feedback"
    ),
    # research
    path("consultations/research/", views.research_list, name="research_list"),
    path("consultations/research/<int:pk>/", views.research_detail, name="research_detail"),
    path("consultations/research/<int:pk>/report/", views.research_report, name="research_report"),
    # government department contacts
    path("consultations/forwards/", views.forward_list, name="forward_list"),
    path("consultations/forwards/<int:pk>/", views.forward_detail, name="forward_detail"),
    # staff desk
    path("consultations/manage/", views.manage, name="event_manage_list"),
    path("consultations/manage/events/new/", views.event_create, name="event_create"),
    path("consultations/manage/events/<int:pk>/", views.event_manage, name="event_manage"),
    path("consultations/manage/events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("consultations/manage/events/<int:pk>/checkin/", views.event_checkin, name="event_checkin"),
    path("consultations/manage/events/<int:pk>/<slug:what>.xlsx", views.event_export, name="event_export"),
    path("consultations/manage/drafts/", views.consultation_manage_list, name="consultation_manage_list"),
    path("consultations/manage/drafts/new/", views.consultation_create, name="consultation_create"),
    path("consultations/manage/drafts/<int:pk>/", views.consultation_manage, name="consultation_manage"),
    path("consultations/manage/drafts/<int:pk>/edit/", views.consultation_edit, name="consultation_edit"),
    path("consultations/manage/research/", views.research_manage, name="research_manage"),
]
