import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc

from organizations.credit_codes import make_credit_code, validate_credit_code


def _fail(value, org_type=None) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_credit_code(value, org_type=org_type)
    return info.value


def test_valid_code_of_each_type_is_accepted():
    for org_type, second in [
        ("social_group", "1"),
        ("private_non_enterprise", "2"),
        ("foundation", "3"),
        ("community", "9"),
    ]:
        code = make_credit_code(org_type, "330203MJ1234567")
        assert validate_credit_code(code, org_type=org_type) == code
        assert code[:2] == "5" + second


def test_lowercase_and_spaces_are_normalised():
    code = make_credit_code("social_group", "330203MJ1234567")
    assert validate_credit_code(" " + code.lower() + " ", org_type="social_group") == code


def test_bad_check_character_says_so():
    code = make_credit_code("social_group", "330203MJ1234567")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    err = _fail(wrong, "social_group")
    assert err.code == "credit_code_checksum"
    assert "check character" in err.messages[0]


def test_code_not_issued_by_civil_affairs_is_refused():
    base = "91330203MA2AB1234"  # 9 = market regulation (a company)
    code = base + uscc.calc_check_digit(base)
    err = _fail(code, "social_group")
    assert err.code == "credit_code_not_civil_affairs"
    assert "starts with 5" in err.messages[0]


def test_type_mismatch_names_both_types():
    foundation_code = make_credit_code("foundation", "330203MJ1234567")
    err = _fail(foundation_code, "social_group")
    assert err.code == "credit_code_type_mismatch"
    assert "should be 1" in err.messages[0]
    assert "Foundation" in err.messages[0]


def test_wrong_length_and_bad_characters():
    assert _fail("5133020312345").code == "credit_code_length"
    assert _fail("51330203MJ12345I7X").code == "credit_code_format"


@pytest.mark.django_db
def test_each_failure_has_its_own_message_on_the_page_in_chinese(client, network, make_user):
    from django.urls import reverse

    from organizations.models import Organization

    base = "91330203MA2AB1234"
    good = make_credit_code("social_group", "330203MJ1234567")
    cases = [
        (good[:-1] + ("0" if good[-1] != "0" else "1"), "校验码"),
        (base + uscc.calc_check_digit(base), "不是民政部门赋予的代码"),
        (make_credit_code("foundation", "330203MJ1234567"), "与组织类型“社会团体”不符：第二位应为1，实际为3"),
        ("5133020312345", "应为18位"),
    ]
    client.force_login(make_user("zh_owner", role="organization"))
    for code, message in cases:
        resp = client.post(
            reverse("organizations:create"),
            {
                "name": "测试协会",
                "org_type": "social_group",
                "credit_code": code,
                "street": network.nanmen.pk,
            },
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        errors = resp.context["form"].errors["credit_code"]
        assert len(errors) == 1 and message in errors[0], (code, errors)
    assert not Organization.objects.exists()
