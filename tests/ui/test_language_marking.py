"""What people wrote is Chinese: on an English page it carries lang="zh-CN" so a screen reader
reads it with a Chinese voice; on a Chinese page the page's own lang is enough."""

import re

import pytest

from tests.factories import make_org

pytestmark = pytest.mark.django_db


def _english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def test_organization_name_marked_chinese_on_english_pages(client, network):
    org = make_org("海曙区助老服务社")
    _english(client)
    detail = client.get(f"/organizations/{org.pk}/").content.decode()
    assert '<html lang="en">' in detail
    assert re.search(r'<h1 lang="zh-CN">海曙区助老服务社</h1>', detail)
    directory = client.get("/organizations/").content.decode()
    assert re.search(r'<td lang="zh-CN"><a href="[^"]*">海曙区助老服务社</a></td>', directory)


def test_no_extra_marking_on_chinese_pages(client, network):
    org = make_org("海曙区助老服务社")
    detail = client.get(f"/organizations/{org.pk}/").content.decode()
    assert '<html lang="zh-CN">' in detail
    assert "<h1>海曙区助老服务社</h1>" in detail
