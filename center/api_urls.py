import importlib.util

from django.conf import settings
from django.urls import include, path, re_path

from center import apis
from center.api.exceptions import api_not_found

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="api-me"),
    path("network-units/", apis.NetworkUnitListApi.as_view(), name="api-network-units"),
    path("announcements/", apis.AnnouncementListApi.as_view(), name="api-announcements"),
    path("auth/token/", apis.TokenApi.as_view(), name="api-token"),
]

for _app in settings.LOCAL_APPS[1:]:
    if importlib.util.find_spec(f"{_app}.api_urls") is not None:
        urlpatterns.append(path("", include(f"{_app}.api_urls")))

# Last: a path under /api/v1/ that matches no operation (e.g. a malformed id) answers the
# API's JSON error body, never the portal's HTML 404 page.
urlpatterns.append(re_path(r"^[\s\S]*/$", api_not_found, name="api-not-found"))
