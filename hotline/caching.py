"""The hotline's shared cache (see center.caching): one data version for every ticket, changed
whenever a ticket, an extension request or a category (a renamed category shows at once) is
written, and the cached queue counts and rendered rows stored under it."""

from __future__ import annotations

from center.caching import Namespace

HOTLINE = Namespace(
    "hotline", models=("hotline.Ticket", "hotline.ExtensionRequest", "hotline.ServiceCategory")
)

TTL = HOTLINE.ttl
data_version = HOTLINE.data_version
data_changed = HOTLINE.data_changed
key = HOTLINE.key
cached = HOTLINE.cached
connect = HOTLINE.connect
