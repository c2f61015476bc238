"""Excel exports staff can open directly (openpyxl, write-only mode: constant memory).

Every export of the portal goes through `xlsx_response`/`xlsx_bytes`: text that a
spreadsheet would run as a formula (OWASP "CSV injection": a cell starting with = + - @,
a tab or a carriage return) is written as plain text with a leading apostrophe, so an
organization's name like `=HYPERLINK(...)` stays a name.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet will never evaluate: a leading formula trigger gets an apostrophe
    (Excel and LibreOffice show the text unchanged)."""
    if text and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _cell(value):
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (int, float, Decimal, date)) or value is None:
        return value
    return neutralise(str(value))


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """Build a workbook from (sheet title, header row, rows) triples."""
    wb = Workbook(write_only=True)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title=str(title)[:31])
        ws.append([neutralise(str(h)) for h in header])
        for row in rows:
            ws.append([_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], *, sheet: str = "Sheet1"
) -> HttpResponse:
    """An .xlsx download; `filename` may be Chinese (RFC 5987 encoded)."""
    response = HttpResponse(xlsx_bytes([(sheet, header, rows)]), content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
