"""The admin console: every portal model is managed there, searchable and filterable,
audited, and every list and add page opens."""

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

# Append-only logs: they are the history, so they carry no history of their own.
LOG_MODELS = {
    "center.Notification",
    "center.Reminder",
    "organizations.OrganizationStatusChange",
    "organizations.AnnualReportStatusChange",
    "organizations.ImportBatch",
    "ventures.ApplicationStatusChange",
    "hotline.TicketCounter",
    "hotline.TicketImage",
    "hotline.TicketEvent",
    "hotline.PhoneReveal",
}


def _portal_models():
    for app in settings.LOCAL_APPS:
        for model in apps.get_app_config(app).get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def _is_log(model) -> bool:
    from center.models import StatusHistory

    return model._meta.label in LOG_MODELS or issubclass(model, StatusHistory)


def test_every_business_model_keeps_an_audit_history():
    missing = [m._meta.label for m in _portal_models() if not _is_log(m) and not hasattr(m, "history")]
    assert missing == []


def test_every_admin_list_has_search_and_filters():
    lacking = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in settings.LOCAL_APPS
        and not (model_admin.search_fields and model_admin.list_filter)
    ]
    assert lacking == []


@pytest.mark.django_db
def test_every_admin_list_and_add_page_opens(client, make_user):
    root = make_user("root", role="staff", department="admin", is_staff=True, is_superuser=True)
    client.force_login(root)
    failures = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in settings.LOCAL_APPS:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        for name in ("changelist", "add"):
            if name == "add" and not model_admin.has_add_permission(type("R", (), {"user": root})()):
                continue
            url = reverse(f"admin:{info[0]}_{info[1]}_{name}")
            status = client.get(url).status_code
            if status != 200:
                failures.append(f"{url} -> {status}")
    assert failures == []


@pytest.mark.django_db
def test_admin_titles_are_chinese_by_default(client, staff):
    client.force_login(staff)
    body = client.get("/admin/").content.decode()
    assert "海曙区社会组织服务中心 — 管理后台" in body
