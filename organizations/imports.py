"""Import of the civil-affairs bureau's list of registered organizations (.xlsx or .csv).

Two steps: `import_preview` parses and checks every row (credit code, duplicates in the file
and in the registry, unknown street, type) and keeps the good rows; `import_confirm` queues
`import_run`, which re-checks the rows against the registry and writes them all in one
transaction with bulk_create, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from center.errors import DomainError, PermissionDeniedError
from center.models import NetworkUnit
from organizations.credit_codes import validate_credit_code
from organizations.models import ImportBatch, Organization, OrganizationStatusChange

BATCH = 1000

# Accepted header names (Chinese as the bureau writes them, or English) -> field.
HEADERS = {
    "名称": "name",
    "社会组织名称": "name",
    "name": "name",
    "统一社会信用代码": "credit_code",
    "信用代码": "credit_code",
    "credit_code": "credit_code",
    "类型": "org_type",
    "组织类型": "org_type",
    "type": "org_type",
    "登记日期": "registration_date",
    "成立登记日期": "registration_date",
    "registration_date": "registration_date",
    "街道": "street",
    "所属街道": "street",
    "街道（镇乡）": "street",
    "street": "street",
    "法定代表人": "legal_representative",
    "legal_representative": "legal_representative",
    "业务主管单位": "supervising_unit",
    "supervising_unit": "supervising_unit",
    "住所": "address",
    "地址": "address",
    "address": "address",
    "登记管理机关": "registration_authority",
    "registration_authority": "registration_authority",
}
TYPES = {
    "社会团体": "social_group",
    "社团": "social_group",
    "social_group": "social_group",
    "民办非企业单位": "private_non_enterprise",
    "社会服务机构": "private_non_enterprise",
    "民非": "private_non_enterprise",
    "private_non_enterprise": "private_non_enterprise",
    "基金会": "foundation",
    "foundation": "foundation",
}
COLUMN_HELP = [
    (gettext_lazy("name"), "名称", True),
    (gettext_lazy("unified social credit code"), "统一社会信用代码", True),
    (gettext_lazy("type"), "类型 (社会团体 / 民办非企业单位 / 基金会)", True),
    (gettext_lazy("street / town"), "街道", True),
    (gettext_lazy("registration date"), "登记日期 (YYYY-MM-DD)", False),
    (gettext_lazy("legal representative"), "法定代表人", False),
    (gettext_lazy("supervising unit"), "业务主管单位", False),
    (gettext_lazy("address"), "住所", False),
]
REQUIRED = ("name", "credit_code", "org_type", "street")


def _rows_from_upload(upload) -> list[list]:
    name = (upload.name or "").lower()
    data = upload.read()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise DomainError(_("This is not a readable .xlsx file."), code="bad_file") from None
        ws = wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise DomainError(_("The .csv file is neither UTF-8 nor GB18030 encoded."), code="bad_file")
        return list(csv.reader(io.StringIO(text)))
    raise DomainError(_("Upload an .xlsx or .csv file."), code="bad_file")


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}) from None


def check_rows(rows: list[list], *, streets: dict[str, int], existing_codes: set[str]):
    """Split the rows (header first) into good ones (dicts) and bad ones (row number, values, why)."""
    if not rows:
        raise DomainError(_("The file is empty."), code="empty")
    header = [HEADERS.get(str(h or "").strip(), HEADERS.get(str(h or "").strip().lower())) for h in rows[0]]
    absent = [f for f in REQUIRED if f not in header]
    if absent:
        raise DomainError(
            _("Columns missing from the first row: %(cols)s.") % {"cols": ", ".join(absent)}, code="columns"
        )
    good, bad, seen = [], [], {}
    for number, raw in enumerate(rows[1:], start=2):
        if not any(v not in (None, "") for v in raw):
            continue
        rec = {}
        for field, value in zip(header, raw, strict=False):
            if field:
                rec[field] = "" if value is None else value
        problems = []
        for field in REQUIRED:
            if str(rec.get(field, "")).strip() == "":
                problems.append(_("%(field)s is empty.") % {"field": field})
        org_type = TYPES.get(str(rec.get("org_type", "")).strip())
        if rec.get("org_type") and not org_type:
            problems.append(_("Unknown type “%(value)s”.") % {"value": rec.get("org_type")})
        code = str(rec.get("credit_code", "")).strip().upper()
        if code:
            try:
                code = validate_credit_code(code, org_type=org_type)
            except ValidationError as e:
                problems.extend(e.messages)
            else:
                if code in existing_codes:
                    problems.append(_("Already in the registry."))
                elif code in seen:
                    problems.append(_("Duplicate of row %(row)d in this file.") % {"row": seen[code]})
                else:
                    seen[code] = number
        street = str(rec.get("street", "")).strip()
        if street and street not in streets:
            problems.append(_("Unknown street “%(value)s”.") % {"value": street})
        try:
            reg_date = _date(rec.get("registration_date"))
        except ValueError as e:
            problems.append(str(e))
            reg_date = None
        values = [str(v) if v is not None else "" for v in raw]
        if problems:
            bad.append({"row": number, "values": values, "problems": problems})
            continue
        good.append(
            {
                "row": number,
                "name": str(rec["name"]).strip()[:200],
                "credit_code": code,
                "org_type": org_type,
                "street_id": streets[street],
                "registration_date": reg_date.isoformat() if reg_date else None,
                "legal_representative": str(rec.get("legal_representative", "")).strip()[:60],
                "supervising_unit": str(rec.get("supervising_unit", "")).strip()[:100],
                "address": str(rec.get("address", "")).strip()[:200],
                "registration_authority": str(rec.get("registration_authority", "")).strip()[:100]
                or "宁波市海曙区民政局",
            }
        )
    return good, bad


def _streets() -> dict[str, int]:
    out = {}
    for pk, name, code in NetworkUnit.objects.filter(level=NetworkUnit.Level.STREET).values_list(
        "pk", "name", "code"
    ):
        out[name] = pk
        out[code] = pk
    return out


def import_preview(*, upload, by) -> ImportBatch:
    """Parse and check the upload; nothing is imported yet. Raises DomainError (unreadable file,
    missing columns), PermissionDeniedError."""
    if not by.is_center_staff:
        raise PermissionDeniedError(_("Only center staff import the civil-affairs list."))
    rows = _rows_from_upload(upload)
    existing = set(Organization.objects.exclude(credit_code=None).values_list("credit_code", flat=True))
    good, bad = check_rows(rows, streets=_streets(), existing_codes=existing)
    return ImportBatch.objects.create(
        file_name=(upload.name or "")[:200],
        uploaded_by=by,
        total_rows=len(good) + len(bad),
        good_rows=good,
        bad_rows=bad,
    )


def import_confirm(*, batch: ImportBatch, by) -> None:
    """Queue the import of the batch's good rows (once). Raises DomainError when already run."""
    from center.services import enqueue
    from organizations.tasks import import_batch_run

    if not by.is_center_staff:
        raise PermissionDeniedError(_("Only center staff import the civil-affairs list."))
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.RUNNING, processed=0
    )
    if not updated:
        raise DomainError(_("This list has already been imported."), code="already_imported")
    enqueue(import_batch_run, batch.pk)


PROGRESS_KEY = "organizations:import-progress:{}"


def _progress_write(batch_id: int, written: int) -> None:
    """Store the running count in the batch row through a connection of its own, outside the
    import's transaction: the page polling the progress (another process) sees it at once,
    whatever cache the processes have. SQLite (`make run`) has one writer at a time, so there
    the count goes through the cache, which `make run`'s web server and worker share (a file
    cache under var/)."""
    if connection.vendor == "sqlite":
        cache.set(PROGRESS_KEY.format(batch_id), written, 6 * 3600)
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportBatch._meta.db_table} SET processed = %s WHERE id = %s", [written, batch_id]
            )
    finally:
        side.close()


def import_progress(batch: ImportBatch) -> int:
    """Rows written so far, read from the batch row (written by the worker as it goes)."""
    stored = ImportBatch.objects.filter(pk=batch.pk).values_list("processed", flat=True).first() or 0
    if connection.vendor == "sqlite":
        return max(stored, cache.get(PROGRESS_KEY.format(batch.pk)) or 0)
    return stored


def import_batches_requeue() -> int:
    """Queue again every batch marked running that no worker holds (its task never reached
    the broker, or the worker died). A batch being imported is locked by its worker and
    skipped; a task queued twice finds the batch locked or done and does nothing.
    Returns how many batches were queued again."""
    from center.services import enqueue
    from organizations.tasks import import_batch_run

    with transaction.atomic():
        stuck = list(
            ImportBatch.objects.select_for_update(skip_locked=True)
            .filter(status=ImportBatch.Status.RUNNING)
            .values_list("pk", flat=True)
        )
    for pk in stuck:
        enqueue(import_batch_run, pk)
    return len(stuck)


def import_run(*, batch_id: int) -> int:
    """Write the good rows of a confirmed batch, all or nothing. Rows that became duplicates since
    the preview fail the whole batch (and the staff member sees why). Returns the rows written."""
    try:
        with transaction.atomic():
            # The worker holds the batch row for the whole import: a second task for the same
            # batch (re-queued, or delivered twice) skips it instead of importing again.
            batch = ImportBatch.objects.select_for_update(skip_locked=True).filter(pk=batch_id).first()
            if batch is None or batch.status != ImportBatch.Status.RUNNING:
                return 0  # held by another worker, done, or never confirmed
            rows = batch.good_rows
            codes = [r["credit_code"] for r in rows]
            clash = set(
                Organization.objects.filter(credit_code__in=codes).values_list("credit_code", flat=True)
            )
            if clash:
                raise DomainError(
                    _(
                        "%(n)d codes were added to the registry after the preview, e.g. %(code)s. "
                        "Upload the list again."
                    )
                    % {"n": len(clash), "code": sorted(clash)[0]},
                    code="stale_preview",
                )
            now = timezone.now()
            written = 0
            for start in range(0, len(rows), BATCH):
                chunk = rows[start : start + BATCH]
                objs = Organization.objects.bulk_create(
                    [
                        Organization(
                            name=r["name"],
                            credit_code=r["credit_code"],
                            org_type=r["org_type"],
                            street_id=r["street_id"],
                            registration_date=date.fromisoformat(r["registration_date"])
                            if r["registration_date"]
                            else None,
                            legal_representative=r["legal_representative"],
                            supervising_unit=r["supervising_unit"],
                            address=r["address"],
                            registration_authority=r["registration_authority"],
                            status=Organization.Status.VERIFIED,
                        )
                        for r in chunk
                    ],
                    batch_size=BATCH,
                )
                if objs and objs[0].pk is None:  # backends without RETURNING
                    objs = list(
                        Organization.objects.filter(credit_code__in=[r["credit_code"] for r in chunk])
                    )
                OrganizationStatusChange.objects.bulk_create(
                    [
                        OrganizationStatusChange(
                            organization=o,
                            from_status="",
                            to_status=Organization.Status.VERIFIED,
                            reason=_("Imported from the civil-affairs list"),
                            by=batch.uploaded_by,
                            at=now,
                        )
                        for o in objs
                    ],
                    batch_size=BATCH,
                )
                written += len(objs)
                _progress_write(batch.pk, written)
            batch.status = ImportBatch.Status.IMPORTED
            batch.imported = written
            batch.processed = written
            batch.finished_at = timezone.now()
            batch.save(update_fields=["status", "imported", "processed", "finished_at"])
    except Exception as exc:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED,
            error=str(getattr(exc, "message", exc))[:2000],
            finished_at=timezone.now(),
        )
        if not isinstance(exc, DomainError):
            raise
        return 0
    return written
