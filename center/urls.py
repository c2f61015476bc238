"""Root URLs. Each domain app contributes `<app>.urls` (pages, own prefixes) and
`<app>.api_urls` (mounted under /api/v1/)."""

import importlib.util

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from center import views

admin.site.site_header = _("Haishu Social Organization Service Center — administration")
admin.site.site_title = _("Haishu portal admin")
admin.site.index_title = _("Administration console")

center_patterns = (
    [
        path("", views.home, name="home"),
        path("dashboard/", views.dashboard, name="dashboard"),
        path("workbench/", views.workbench, name="workbench"),
        path("me/", views.my_page, name="my_page"),
        path("notifications/", views.notifications, name="notifications"),
        path("notifications/read/", views.notifications_mark_read, name="notifications_read"),
        path("announcements/", views.announcement_list, name="announcements"),
        path("calendar/day/", views.calendar_day, name="calendar_day"),
        path("announcements/<int:pk>/", views.announcement_detail, name="announcement"),
        path("accounts/signup/", views.signup, name="signup"),
    ],
    "center",
)

urlpatterns = [
    path("", include(center_patterns)),
    path("healthz", views.healthz, name="healthz"),
    path("bench/ping", views.bench_ping, name="bench_ping"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("center.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    # Browsers ask for /favicon.ico on pages without <link rel="icon"> (the admin, the API docs).
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "favicon.ico", permanent=True)),
]

for _app in settings.LOCAL_APPS[1:]:
    if importlib.util.find_spec(f"{_app}.urls") is not None:
        urlpatterns.append(path("", include(f"{_app}.urls")))

# Nothing under MEDIA_ROOT is served directly, in any settings module: uploads are private and
# reached through each app's views, which check rights first (center.files.serve_file).
