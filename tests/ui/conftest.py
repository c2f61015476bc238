import pytest
import time_machine

from tests.factories import WEDNESDAY
from tests.hotline.conftest import people  # noqa: F401  (hotline roles for the desk pages)
from tests.ventures.conftest import (  # noqa: F401  (a round, an applicant, reviewers)
    applicant,
    other_applicant,
    projects_staff,
    reviewers,
    rnd,
)

NOW = WEDNESDAY


@pytest.fixture(autouse=True)
def _pinned_now(pinned_wednesday):
    """The ventures factories behind `rnd` read "now": an ordinary working Wednesday."""


@pytest.fixture
def pinned():
    """A fixed working day (Wednesday 25 Nov 2026, 10:00 Shanghai)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client
