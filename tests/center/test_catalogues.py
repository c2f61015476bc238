"""Chinese is the default language: every catalogue entry is translated, none left fuzzy
(a fuzzy guess is not compiled, so its English would show on a Chinese page)."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")) + [
    ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"
]


def test_every_app_has_a_chinese_catalogue():
    apps = {p.relative_to(ROOT).parts[0] for p in CATALOGUES}
    assert {"locale", "organizations", "incubation", "ventures", "hotline", "consultations"} <= apps


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete(path):
    po = polib.pofile(str(path))
    missing = [e.msgid for e in po if not e.obsolete and (not e.msgstr and not e.msgstr_plural)]
    fuzzy = [e.msgid for e in po if not e.obsolete and "fuzzy" in e.flags]
    assert not missing, f"{path.name}: untranslated {missing[:10]}"
    assert not fuzzy, f"{path.name}: fuzzy {fuzzy[:10]}"
