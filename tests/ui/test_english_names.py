"""Names that staff configure carry an English name, shown on English pages, falling back to
the Chinese name; the seeded categories and service areas come with theirs."""

import pytest
from django.utils import translation

from hotline.models import ServiceCategory
from organizations.models import ServiceArea
from tests.factories import make_org
from ventures.models import Category

pytestmark = pytest.mark.django_db


def test_seeded_names_have_english():
    assert ServiceCategory.objects.get(code="elderly").name_en == "Elderly care"
    assert ServiceArea.objects.get(code="disabled").name_en == "Disability support"
    assert not ServiceCategory.objects.filter(name_en="").exists()


def test_display_name_follows_the_language_and_falls_back_to_chinese():
    area = ServiceArea.objects.get(code="elderly")
    custom = ServiceArea.objects.create(code="new-area", name="新领域")
    with translation.override("en"):
        assert str(area) == "Elderly care"
        assert str(custom) == "新领域"  # no English name yet: the Chinese one, never empty
        assert Category.DISABLED.label == "Disability support"
    with translation.override("zh-hans"):
        assert str(area) == "扶老"
        assert str(Category.DISABLED.label) == "助残"


def test_directory_shows_service_areas_in_the_page_language(client, network):
    org = make_org("海曙区助老服务社")
    org.service_areas.add(ServiceArea.objects.get(code="elderly"))
    page = client.get("/organizations/").content.decode()
    assert "扶老" in page and "Elderly care" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/organizations/").content.decode()
    assert "Elderly care" in page
