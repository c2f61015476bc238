"""Import of the civil-affairs list: preview with every bad row and why, all-or-nothing import."""

import csv
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from organizations import imports
from organizations.credit_codes import make_credit_code
from organizations.models import ImportBatch, Organization
from tests.organizations.factories import make_org

HEADER = ["名称", "统一社会信用代码", "类型", "街道", "登记日期", "法定代表人"]


def _code(n, org_type="social_group"):
    return make_credit_code(org_type, f"330203MJ{n:07d}")


def _xlsx(rows, name="list.xlsx"):
    wb = Workbook()
    ws = wb.active
    for row in [HEADER, *rows]:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


def _csv(rows, name="list.csv"):
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *rows])
    return SimpleUploadedFile(name, buf.getvalue().encode("utf-8-sig"))


@pytest.mark.django_db
def test_preview_lists_every_bad_row_and_why(network, staff):
    existing = make_org("已在库协会", credit_code=_code(1))
    good = _code(2)
    bad_check = _code(3)[:-1] + ("0" if _code(3)[-1] != "0" else "1")
    rows = [
        ["好协会", good, "社会团体", "南门街道", "2019-05-01", "王五"],
        ["校验位错", bad_check, "社会团体", "南门街道", "2019-05-01", ""],
        ["重复行", good, "社会团体", "南门街道", "2019-05-01", ""],
        ["库中已有", existing.credit_code, "社会团体", "南门街道", "", ""],
        ["未知街道", _code(4), "社会团体", "火星街道", "", ""],
        ["类型不符", _code(5, "foundation"), "社会团体", "yuehu", "", ""],
    ]
    batch = imports.import_preview(upload=_xlsx(rows), by=staff)
    assert batch.total_rows == 6
    assert [r["row"] for r in batch.good_rows] == [2]
    why = {r["row"]: " ".join(r["problems"]) for r in batch.bad_rows}
    assert "check character" in why[3]
    assert "Duplicate of row 2" in why[4]
    assert "Already in the registry" in why[5]
    assert "Unknown street" in why[6]
    assert "should be 1" in why[7]
    assert Organization.objects.count() == 1  # nothing imported yet


@pytest.mark.django_db
def test_confirm_imports_good_rows_once(client, network, staff, django_capture_on_commit_callbacks):
    rows = [[f"导入协会{i}", _code(100 + i), "社会团体", "南门街道", "2018-01-01", ""] for i in range(3)]
    client.force_login(staff)
    resp = client.post(reverse("organizations:import"), {"file": _csv(rows)})
    batch = ImportBatch.objects.get()
    assert resp.status_code == 302
    assert client.get(reverse("organizations:import_batch", args=[batch.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organizations:import_batch", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED and batch.imported == 3
    assert Organization.objects.filter(status="verified", street=network.nanmen).count() == 3
    progress = client.get(reverse("organizations:import_progress", args=[batch.pk])).json()
    assert progress == {"done": 3, "total": 3, "finished": True, "status": "imported"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("organizations:import_batch", args=[batch.pk])
        )  # second confirmation: nothing more
    assert Organization.objects.count() == 3


@pytest.mark.django_db
def test_failure_leaves_nothing_half_written(network, staff, django_capture_on_commit_callbacks):
    rows = [[f"导入协会{i}", _code(200 + i), "社会团体", "南门街道", "", ""] for i in range(5)]
    batch = imports.import_preview(upload=_xlsx(rows), by=staff)
    make_org("抢先登记", credit_code=_code(204))  # the last row became a duplicate after the preview
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(batch=batch, by=staff)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and "after the preview" in batch.error
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_missing_columns_and_unreadable_file(staff):
    from center.errors import DomainError

    with pytest.raises(DomainError):
        imports.import_preview(upload=SimpleUploadedFile("x.csv", "名称\n甲\n".encode()), by=staff)
    with pytest.raises(DomainError):
        imports.import_preview(upload=SimpleUploadedFile("x.xlsx", b"not a zip"), by=staff)
    with pytest.raises(DomainError):
        imports.import_preview(upload=SimpleUploadedFile("x.txt", b"abc"), by=staff)


@pytest.mark.django_db
def test_ten_thousand_rows_well_under_a_minute(network, staff, django_capture_on_commit_callbacks):
    rows = [
        [f"批量协会{i}", _code(10000 + i), "社会团体", "南门街道", "2018-01-01", ""] for i in range(10000)
    ]
    upload = _csv(rows)
    started = time.monotonic()
    batch = imports.import_preview(upload=upload, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(batch=batch, by=staff)
    elapsed = time.monotonic() - started
    batch.refresh_from_db()
    assert batch.imported == 10000
    assert Organization.objects.count() == 10000
    assert elapsed < 30, elapsed


@pytest.mark.django_db
def test_file_with_bad_rows_through_the_pages_imports_only_the_good_ones(
    client, network, staff, django_capture_on_commit_callbacks
):
    bad_check = _code(303)[:-1] + ("0" if _code(303)[-1] != "0" else "1")
    rows = [
        ["好协会甲", _code(301), "社会团体", "南门街道", "2019-05-01", "王五"],
        ["好基金会乙", _code(302, "foundation"), "基金会", "月湖街道", "2020-01-01", ""],
        ["校验位错", bad_check, "社会团体", "南门街道", "", ""],
        ["未知街道", _code(304), "社会团体", "火星街道", "", ""],
        ["重复行", _code(301), "社会团体", "南门街道", "", ""],
    ]
    client.force_login(staff)
    resp = client.post(
        reverse("organizations:import"), {"file": _xlsx(rows)}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    page = resp.content.decode()
    assert "5 rows: 2 good, 3 with problems." in page
    for name, why in [
        ("校验位错", "check character"),
        ("未知街道", "Unknown street"),
        ("重复行", "Duplicate of row 2"),
    ]:
        assert name in page and why in page
    assert 'data-confirm="Import the good rows now?"' in page
    assert not Organization.objects.exists()  # the preview writes nothing
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organizations:import_batch", args=[batch.pk]))
    assert sorted(Organization.objects.values_list("name", flat=True)) == ["好协会甲", "好基金会乙"]
    assert Organization.objects.get(name="好基金会乙").street == network.yuehu


@pytest.mark.django_db
def test_import_pages_are_staff_only(client, owner_a, network, staff):
    batch = imports.import_preview(
        upload=_csv([["甲", _code(401), "社会团体", "南门街道", "", ""]]), by=staff
    )
    client.force_login(owner_a)
    assert client.post(reverse("organizations:import"), {"file": _csv([])}).status_code == 403
    assert client.post(reverse("organizations:import_batch", args=[batch.pk])).status_code == 403
    assert client.get(reverse("organizations:import_progress", args=[batch.pk])).status_code == 403
    assert not Organization.objects.exists()


# --- progress in the database, stuck batches re-queued --------------------------------------


@pytest.mark.django_db
def test_a_batch_whose_task_never_reached_the_broker_is_queued_again(
    network, staff, django_capture_on_commit_callbacks
):
    rows = [[f"补导协会{i}", _code(400 + i), "社会团体", "南门街道", "", ""] for i in range(2)]
    batch = imports.import_preview(upload=_xlsx(rows), by=staff)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)  # task lost
    from organizations.tasks import import_batches_requeue

    with django_capture_on_commit_callbacks(execute=True):
        assert import_batches_requeue() == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED and batch.processed == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert import_batches_requeue() == 0  # nothing left running
    assert Organization.objects.filter(name__startswith="补导协会").count() == 2


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_another_connection_while_the_import_runs(network, staff):
    from django.db import connection, transaction

    from tests.concurrency import run_concurrently

    rows = [["进度协会", _code(500), "社会团体", "南门街道", "", ""]]
    batch = imports.import_preview(upload=_xlsx(rows), by=staff)
    with transaction.atomic():  # the import's transaction, still open
        imports._progress_write(batch.pk, 1234)
        if connection.vendor == "postgresql":
            seen = run_concurrently(lambda: imports.import_progress(batch))[0].value  # another connection
        else:
            # SQLite: one writer, so the count goes through the cache, which `make run`'s web
            # server and worker share (a file cache; checked below)
            seen = imports.import_progress(batch)
    assert seen == 1234


def test_the_embedded_default_cache_is_shared_between_processes():
    from django.conf import settings as django_settings

    import center.settings.base as base

    assert base.CACHES["default"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert django_settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")  # tests: isolated
