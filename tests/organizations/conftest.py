import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.organizations.factories import make_org

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def pdf():
    def _make(name="file.pdf"):
        return SimpleUploadedFile(name, PDF, content_type="application/pdf")

    return _make


@pytest.fixture
def owner_a(make_user):
    return make_user("owner_a", role="organization")


@pytest.fixture
def owner_b(make_user):
    return make_user("owner_b", role="organization")


@pytest.fixture
def org_a(network, owner_a):
    return make_org("甲公益服务中心", org_type="private_non_enterprise", owner=owner_a, street=network.nanmen)


@pytest.fixture
def org_b(network, owner_b):
    return make_org("乙志愿者协会", org_type="social_group", owner=owner_b, street=network.yuehu)


@pytest.fixture(autouse=True)
def _english_messages():
    """Service-level assertions read the English msgids; pages keep their own language per request."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _no_count_cache(settings):
    """Query-count tests compare runs: the directory's cached total would hide a query."""
    settings.ORGANIZATIONS_COUNT_CACHE_SECONDS = 0
