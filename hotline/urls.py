from django.urls import path, re_path

from hotline import open311, views

app_name = "hotline"

urlpatterns = [
    path("hotline/", views.file_request, name="file"),
    path("hotline/track/", views.track, name="track"),
    path("hotline/t/<str:key>/", views.track_link, name="track_link"),
    path("hotline/mine/", views.my_requests, name="mine"),
    path("hotline/desk/", views.desk, name="desk"),
    path("hotline/desk/call/", views.call_intake, name="call"),
    path("hotline/unit/", views.unit_list, name="unit"),
    path("hotline/statistics/", views.statistics, name="statistics"),
    path("hotline/tickets/<str:number>/", views.ticket_detail, name="ticket_detail"),
    path("hotline/tickets/<str:number>/images/<int:image_pk>/", views.ticket_image, name="ticket_image"),
    path("hotline/tickets/<str:number>/<slug:action>/", views.ticket_action, name="ticket_action"),
    # Open311 GeoReport v2
    re_path(r"^open311/v2/services\.(?P<fmt>json|xml)$", open311.service_list, name="open311_services"),
    re_path(r"^open311/v2/requests\.(?P<fmt>json|xml)$", open311.request_list, name="open311_requests"),
    re_path(
        r"^open311/v2/requests/(?P<number>[A-Za-z0-9]+)\.(?P<fmt>json|xml)$",
        open311.request_detail,
        name="open311_request",
    ),
]
