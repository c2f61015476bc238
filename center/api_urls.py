import importlib.util

from django.conf import settings
from django.urls import include, path

from center import apis

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="api-me"),
    path("network-units/", apis.NetworkUnitListApi.as_view(), name="api-network-units"),
    path("announcements/", apis.AnnouncementListApi.as_view(), name="api-announcements"),
    path("auth/token/", apis.TokenApi.as_view(), name="api-token"),
]

for _app in settings.LOCAL_APPS[1:]:
    if importlib.util.find_spec(f"{_app}.api_urls") is not None:
        urlpatterns.append(path("", include(f"{_app}.api_urls")))
