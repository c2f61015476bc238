"""Fixtures shared by every app's tests: the network, and one user of every kind."""

import os
import select
import time

import pytest

if os.environ.get("FAKETIME") and os.environ.get("FAKETIME_DONT_FAKE_MONOTONIC"):
    # `make test-dates` moves only the wall clock with libfaketime, whose clock_nanosleep
    # wrapper then refuses Python's monotonic sleeps (EINVAL); select() waits the same time.
    time.sleep = lambda seconds: select.select([], [], [], max(0.0, seconds)) and None

from tests.factories import WEDNESDAY, NetworkFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the portal's default language (Chinese): a request made in English
    by an earlier test on the same worker must not decide what language a message is in."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def pinned_wednesday(time_machine):
    """Pin "now" to WEDNESDAY for services, tasks and model defaults (the clock keeps ticking
    from there); a test may still move it with `time_machine`."""
    time_machine.move_to(WEDNESDAY, tick=True)
    return WEDNESDAY


@pytest.fixture
def network(db):
    """District -> streets nanmen, yuehu (each with communities c1, c2)."""
    return NetworkFactory.build_tree()


@pytest.fixture
def make_user(db):
    return UserFactory.make


@pytest.fixture
def staff(make_user):
    return make_user("staff_admin_t", role="staff", department="admin", is_staff=True)


@pytest.fixture
def resident(make_user):
    return make_user("resident_t", role="resident")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and lockouts live in the cache: every test starts with a clean one."""
    from django.core.cache import cache

    from center import calendar

    cache.clear()
    calendar.clear_cache()  # a rolled-back Holiday row must not outlive its test
    yield
    cache.clear()
    calendar.clear_cache()
