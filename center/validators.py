"""Validation and display helpers shared by the apps: phone numbers and uploads."""

from __future__ import annotations

import re

import filetype
import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalize_phone(value: str) -> str:
    """Validate a Chinese phone number (mobile or landline) and return it in national digits.

    Raises ValidationError with a clear message when it is not a valid number.
    """
    raw = (value or "").strip()
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number."), code="invalid_phone", params={"value": raw}
        )
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = "".join(ch for ch in national if ch.isdigit())
    if number.country_code != 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return digits


def validate_phone(value: str) -> None:
    normalize_phone(value)


def mask_phone(value: str) -> str:
    """138****1234: keep the first three and last four digits."""
    digits = value or ""
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


# What an attachment may be, checked by content (magic bytes), not by the file name.
DOCUMENT_MIME_TYPES = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
}
IMAGE_MIME_TYPES = {k: v for k, v in DOCUMENT_MIME_TYPES.items() if k.startswith("image/")}


def validate_upload(
    upload, *, allowed: dict[str, str] = DOCUMENT_MIME_TYPES, max_bytes: int | None = None
) -> str:
    """Check an uploaded file's size and its real type; return the detected MIME type.

    Office files are zip (docx/xlsx) or OLE (doc/xls) containers; the detected container
    type is refined by the extension only when the content already is such a container.
    """
    max_bytes = max_bytes or settings.MAX_ATTACHMENT_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is too large (%(size).1f MB); the limit is %(limit)d MB."),
            code="file_too_large",
            params={"name": upload.name, "size": upload.size / 1048576, "limit": max_bytes // 1048576},
        )
    pos = upload.tell() if hasattr(upload, "tell") else 0
    head = upload.read(8192)
    upload.seek(pos)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    name = (upload.name or "").lower()
    if mime == "application/zip" and name.endswith(".docx"):
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif mime == "application/zip" and name.endswith(".xlsx"):
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif mime == "application/x-ole-storage" or head.startswith(b"\xd0\xcf\x11\xe0"):
        if name.endswith(".doc"):
            mime = "application/msword"
        elif name.endswith(".xls"):
            mime = "application/vnd.ms-excel"
    if mime not in allowed:
        raise ValidationError(
            _("“%(name)s” is not an accepted file type. Accepted: %(types)s."),
            code="file_type",
            params={"name": upload.name, "types": ", ".join(sorted(set(allowed.values())))},
        )
    return mime


# --- phone numbers in public output ---------------------------------------------------------

# Separators people put between digit groups: space (also full-width and no-break), dot,
# underscore, comma (also full-width), hyphen, en/em dash, minus sign, slash, backslash,
# parentheses and the ideographic comma.
_SEPARATORS = " \u00a0\u3000.\uff0e_,\uff0c\u3001\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d/\uff0f\\\\()\uff08\uff09"
_DIGIT = r"[0-9\uff10-\uff19]"
# A run of digits, possibly broken by separators, holding at least 7 digits in total.
_DIGIT_RUN = re.compile(rf"\+?{_DIGIT}(?:[{_SEPARATORS}]*{_DIGIT}){{6,}}")
PHONE_MASK = "***"


def scrub_phones(text: str, *, mask: str = PHONE_MASK) -> str:
    """Blank everything that may be a phone number in text that leaves the portal publicly
    (Open311, public timelines, 360Giving, calendar feeds).

    Two rules, so that neither a clever separator nor an unusual format gets through:
    `phonenumbers`' matcher (region CN, lenient) finds numbers in any format it knows, and any
    run of 7 or more digits — counted after removing separators such as space . _ , – / - —
    is blanked as well (a dated reference like 2026-11-28 has only 8 digits, but losing a date
    in a public description is the lesser harm).
    """
    if not text:
        return text or ""
    spans = [
        (m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(text, "CN", leniency=phonenumbers.Leniency.POSSIBLE)
    ]
    spans += [(m.start(), m.end()) for m in _DIGIT_RUN.finditer(text)]
    if not spans:
        return text
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out.append(text[pos:start])
        out.append(mask)
        pos = end
    out.append(text[pos:])
    return "".join(out)


# --- free text from outside (forms, API, Open311) -------------------------------------------

# C0 controls except tab, line feed and carriage return, DEL, C1 controls, and the Unicode
# noncharacters a database or an XML export cannot store (PostgreSQL refuses NUL in text).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def clean_text(value, *, max_length: int, label, multiline: bool = True) -> str:
    """The one check for text that comes in from any door (form, API, Open311): at most
    `max_length` characters and no control characters (NUL included). Returns the stripped
    text; raises ValidationError with a message naming the field."""
    text = "" if value is None else str(value)
    if _CONTROL.search(text) or (not multiline and ("\n" in text or "\r" in text)):
        raise ValidationError(
            _("%(field)s contains control characters; remove them and try again."),
            code="control_characters",
            params={"field": label},
        )
    text = text.strip()
    if len(text) > max_length:
        raise ValidationError(
            _("%(field)s is too long: %(n)d characters, at most %(max)d."),
            code="too_long",
            params={"field": label, "n": len(text), "max": max_length},
        )
    return text
