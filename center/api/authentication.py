"""API tokens that expire and stop working when the account is locked or deactivated.

A token is good for `API_TOKEN_TTL_DAYS` days (setting, default 30) from its creation; after
that the client asks for a new one. A token of an account django-axes has locked (repeated
failed logins) is refused while the lock lasts, and a deactivated account's token never
works. Center administrators revoke a token in the admin (Auth Token), which deletes it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_expires_at(token):
    return token.created + timedelta(days=settings.API_TOKEN_TTL_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        self._request = request
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)  # refuses unknown keys and inactive users
        if timezone.now() >= token_expires_at(token):
            raise exceptions.AuthenticationFailed(_("The token has expired; ask for a new one."))
        request = getattr(self, "_request", None)
        if request is not None and _locked(request, user):
            raise exceptions.AuthenticationFailed(_("The account is locked after repeated failed logins."))
        return user, token


def _locked(request, user) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    django_request = getattr(request, "_request", request)
    return AxesProxyHandler.is_locked(django_request, credentials={"username": user.get_username()})
