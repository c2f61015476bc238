"""Every data table names itself to a screen reader: a caption (visually hidden where a heading
already shows the same words) comes first inside every <table> of every template."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = ["templates", "center", "organizations", "incubation", "ventures", "hotline", "consultations"]


def _tables():
    for folder in TEMPLATE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.html")):
            text = path.read_text(encoding="utf-8")
            for match in re.finditer(r"<table\b[^>]*>", text):
                yield path.relative_to(ROOT), text.count("\n", 0, match.start()) + 1, text[match.end() :]


def test_the_templates_have_tables_to_check():
    assert sum(1 for _ in _tables()) >= 50


@pytest.mark.parametrize(("path", "line", "rest"), [pytest.param(*t, id=f"{t[0]}:{t[1]}") for t in _tables()])
def test_table_starts_with_a_caption(path, line, rest):
    assert re.match(r"\s*<caption\b[^>]*>\s*\S", rest), f"{path}:{line}: <table> without a <caption>"


def test_rendered_directory_table_has_its_caption(client, network):
    response = client.get("/organizations/")
    assert response.status_code == 200
    assert re.search(
        r'<table[^>]*><caption class="visually-hidden">社会组织名录</caption>', response.content.decode()
    )
