"""Money: one field type and one way to print it.

Amounts are yuan with two decimals (DecimalField 12,2), never negative. Pages print them with
`format_yuan` (``¥40,000.00``; cents are never dropped) or, for large totals, `format_wan`
(``144.5 万元`` in Chinese, ``1.445 million yuan`` in English). The template filters
``|yuan`` and ``|wan`` (``{% load portal %}``) call these functions.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyField(models.DecimalField):
    """An amount in yuan: 12 digits, 2 decimals, refuses negative values.

    Add the database check in the model's Meta as well:
    ``models.CheckConstraint(name="<table>_<field>_gte_0", condition=models.Q(<field>__gte=0))``.
    """

    def __init__(self, verbose_name=None, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        validators = list(kwargs.pop("validators", []))
        if not any(isinstance(v, MinValueValidator) for v in validators):
            validators.append(MinValueValidator(Decimal("0")))
        kwargs["validators"] = validators
        super().__init__(verbose_name, **kwargs)

    def deconstruct(self):
        # Migrations see a plain DecimalField; the validator is added back by __init__.
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        return name, "center.money.MoneyField", args, kwargs


def to_decimal(value) -> Decimal | None:
    """Decimal of `value` (int, float, str, Decimal) or None when it is not a number."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def quantize_yuan(value) -> Decimal:
    """Round to the cent (half up); None counts as zero."""
    amount = to_decimal(value)
    return ZERO if amount is None else amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _trim(amount: Decimal, places: int) -> str:
    text = f"{amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_yuan(value, *, symbol: bool = True) -> str:
    """40000 -> "¥40,000.00"; None -> "—". Two decimals always."""
    amount = to_decimal(value)
    if amount is None:
        return "—"
    text = f"{quantize_yuan(amount):,.2f}"
    if not symbol:
        return text
    return f"-¥{text[1:]}" if text.startswith("-") else f"¥{text}"


def format_wan(value) -> str:
    """1445000 -> "144.5 万元" (Chinese) or "1.445 million yuan" (other languages)."""
    amount = to_decimal(value)
    if amount is None:
        return "—"
    language = (get_language() or "").lower()
    if language.startswith("zh"):
        return f"{_trim(amount / Decimal(10_000), 2)} 万元"
    return f"{_trim(amount / Decimal(1_000_000), 4)} million yuan"
