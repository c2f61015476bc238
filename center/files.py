"""Uploaded files: stored under random names, served only by views that check rights.

Nothing under MEDIA_ROOT is served directly, in any settings module: every file is reached
through a view of its app that first decides whether the user may see it, then calls
`serve_file`. In production the web server sends the bytes: with
`PRIVATE_FILES_ACCEL_PREFIX = "/_protected/"` the view answers with an `X-Accel-Redirect`
header (nginx, an `internal` location aliased to MEDIA_ROOT; see the README), or with
`PRIVATE_FILES_SENDFILE = True` an `X-Sendfile` header (Apache mod_xsendfile). Without either,
Django streams the file itself.
"""

from __future__ import annotations

import mimetypes
import os
import secrets
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible

INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}


@deconstructible
class RandomName:
    """`upload_to` that keeps only the extension of the uploader's file name:
    `<prefix>/<yyyy>/<mm>/<24 random url-safe characters>.<ext>` (never guessable, never
    carrying a person's name)."""

    def __init__(self, prefix: str):
        self.prefix = prefix.strip("/")

    def __call__(self, instance, filename: str) -> str:
        ext = os.path.splitext(filename)[1].lower()[:8]
        if not ext[1:].isalnum():
            ext = ".bin"
        return f"{self.prefix}/{timezone.now():%Y/%m}/{secrets.token_urlsafe(18)}{ext}"

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomName) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(("RandomName", self.prefix))


def serve_file(field_file, *, download_name: str | None = None, inline: bool = False) -> HttpResponse:
    """The response for a file the caller has already decided the user may see."""
    if not field_file or not field_file.name:
        raise Http404
    name = download_name or os.path.basename(field_file.name)
    if not os.path.splitext(name)[1]:
        name += os.path.splitext(field_file.name)[1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    # Shown in the browser only when it cannot run script on the portal's origin.
    inline = inline and (content_type in INLINE_TYPES)
    disposition = "inline" if inline else "attachment"
    accel = getattr(settings, "PRIVATE_FILES_ACCEL_PREFIX", "")
    if accel or getattr(settings, "PRIVATE_FILES_SENDFILE", False):
        if not field_file.storage.exists(field_file.name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        if accel:
            response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(field_file.name)
        else:
            response["X-Sendfile"] = field_file.path
        response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    else:
        try:
            handle = field_file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
