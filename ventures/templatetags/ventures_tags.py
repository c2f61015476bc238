from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value, places=0):
    """1445000 -> '1,445,000' (money in yuan with thousands separators; locale-independent)."""
    if value in (None, ""):
        return "—"
    try:
        return f"{Decimal(value):,.{int(places)}f}"
    except (ArithmeticError, ValueError, TypeError):
        return value
