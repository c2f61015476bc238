from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.hotline.conftest import people  # noqa: F401  (hotline roles for the desk pages)
from tests.ventures.conftest import (  # noqa: F401  (a round, an applicant, reviewers)
    applicant,
    other_applicant,
    projects_staff,
    reviewers,
    rnd,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def pinned():
    """A fixed working day (Wednesday 25 Nov 2026, 10:00 Shanghai)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client
