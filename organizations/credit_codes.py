"""The unified social credit code (统一社会信用代码) of a social organization.

python-stdnum checks the length, the alphabet and the check character; on top of that a
social organization's code must have been issued by civil affairs (first character 5) and
its second character must match the organization's type.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

CIVIL_AFFAIRS = "5"
# Second character of a civil-affairs code, by organization type (models.Organization.Type values).
TYPE_CODES = {
    "social_group": "1",  # 社会团体
    "private_non_enterprise": "2",  # 民办非企业单位
    "foundation": "3",  # 基金会
    "community": "9",  # other
}


def _type_label(org_type: str) -> str:
    from organizations.models import Organization

    return str(dict(Organization.Type.choices).get(org_type, org_type))


def normalize_credit_code(value: str) -> str:
    return uscc.compact(value or "")


def validate_credit_code(value: str, *, org_type: str | None = None) -> str:
    """Return the compact, valid code; raise ValidationError with one clear message per failure
    (length, characters, check character, not civil affairs, type mismatch)."""
    code = normalize_credit_code(value)
    try:
        uscc.validate(code)
    except stdnum_errors.InvalidLength:
        raise ValidationError(
            _("A unified social credit code has 18 characters; “%(code)s” has %(n)d."),
            code="credit_code_length",
            params={"code": code, "n": len(code)},
        ) from None
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _(
                "The check character (the last one) of “%(code)s” is wrong; please look for a typo in the code."
            ),
            code="credit_code_checksum",
            params={"code": code},
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _(
                "“%(code)s” has characters a unified social credit code cannot contain (digits and capital letters "
                "except I, O, Z, S, V)."
            ),
            code="credit_code_format",
            params={"code": code},
        ) from None
    if code[0] != CIVIL_AFFAIRS:
        raise ValidationError(
            _(
                "“%(code)s” was not issued by civil affairs: a social organization's code starts with 5, this one "
                "starts with %(first)s."
            ),
            code="credit_code_not_civil_affairs",
            params={"code": code, "first": code[0]},
        )
    if org_type and TYPE_CODES.get(org_type) and code[1] != TYPE_CODES[org_type]:
        actual = next((t for t, c in TYPE_CODES.items() if c == code[1]), None)
        raise ValidationError(
            _(
                "“%(code)s” does not match the type %(type)s: its second character should be %(expected)s, "
                "it is %(second)s%(actual)s."
            ),
            code="credit_code_type_mismatch",
            params={
                "code": code,
                "type": _type_label(org_type),
                "expected": TYPE_CODES[org_type],
                "second": code[1],
                "actual": _(" (the code of a %(t)s)") % {"t": _type_label(actual)} if actual else "",
            },
        )
    return code


def make_credit_code(org_type: str, body: str) -> str:
    """A valid civil-affairs code for `org_type` from 15 more characters (demo data, tests, bench)."""
    base = CIVIL_AFFAIRS + TYPE_CODES[org_type] + body
    assert len(base) == 17, base
    return base + uscc.calc_check_digit(base)
