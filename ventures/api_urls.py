from django.urls import path

from ventures import apis

urlpatterns = [
    path("ventures/360giving.json", apis.Venture360GivingApi.as_view(), name="ventures-360giving"),
    path(
        "ventures/applications/", apis.VentureApplicationListApi.as_view(), name="ventures-application-list"
    ),
    path(
        "ventures/applications/create/",
        apis.VentureApplicationCreateApi.as_view(),
        name="ventures-application-create",
    ),
    path(
        "ventures/applications/<int:pk>/",
        apis.VentureApplicationDetailApi.as_view(),
        name="ventures-application-detail",
    ),
    path(
        "ventures/applications/<int:pk>/submit/",
        apis.VentureApplicationSubmitApi.as_view(),
        name="ventures-application-submit",
    ),
    path("ventures/reviews/", apis.VentureReviewListApi.as_view(), name="ventures-review-list"),
    path("ventures/reviews/<int:pk>/", apis.VentureReviewDetailApi.as_view(), name="ventures-review-detail"),
    path(
        "ventures/reviews/<int:pk>/submit/",
        apis.VentureReviewSubmitApi.as_view(),
        name="ventures-review-submit",
    ),
    path("ventures/rounds/<int:pk>/ranking/", apis.VentureRankingApi.as_view(), name="ventures-ranking"),
]
