from django.urls import path

from hotline import apis

urlpatterns = [
    path("hotline/tickets/", apis.TicketListApi.as_view(), name="api-hotline-tickets"),
    path("hotline/tickets/<str:number>/", apis.TicketDetailApi.as_view(), name="api-hotline-ticket"),
    path(
        "hotline/tickets/<str:number>/sign/", apis.TicketSignForApi.as_view(), name="api-hotline-ticket-sign"
    ),
    path(
        "hotline/tickets/<str:number>/answer/",
        apis.TicketAnswerApi.as_view(),
        name="api-hotline-ticket-answer",
    ),
]
