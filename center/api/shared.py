"""A list API whose answer is the same for every caller: each page serialized once per data
version (center.caching), address, query and language, and shared by every process."""

from __future__ import annotations

from django.utils.translation import get_language
from rest_framework.response import Response


class SharedListMixin:
    """For `generics.ListAPIView`s whose output does not depend on the caller. Set
    `cache_namespace` (the namespace whose models the list shows) and, when the rows show
    names from other apps, `cache_also` (their namespaces)."""

    cache_namespace = None
    cache_also: tuple = ()

    def list(self, request, *args, **kwargs):
        ns = self.cache_namespace
        data = ns.cached(
            f"api:{type(self).__name__}",
            lambda: super(SharedListMixin, self).list(request, *args, **kwargs).data,
            request.get_host(),
            request.GET.urlencode(),
            get_language(),
            *(other.data_version() for other in self.cache_also),
        )
        return Response(data)
