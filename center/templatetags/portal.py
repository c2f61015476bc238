from django import template

from center.money import format_wan, format_yuan
from center.validators import mask_phone as _mask_phone

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (keeps filters across pages)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()


@register.filter
def mask_phone(value):
    return _mask_phone(value or "")


@register.filter
def percent(value, digits=1):
    if value is None:
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def yuan(value, symbol=True):
    """Money in yuan: 40000 -> "¥40,000.00" (two decimals, never drops cents);
    ``|yuan:False`` leaves out the ¥ sign."""
    return format_yuan(value, symbol=symbol not in (False, "False", "false", "0", 0))


@register.filter
def wan(value):
    """Large totals: 1445000 -> "144.5 万元" / "1.445 million yuan"."""
    return format_wan(value)


@register.simple_tag(takes_context=True)
def data_lang(context):
    """` lang="zh-CN"` on an element holding what people wrote (names, titles, requests, all in
    Chinese) when the page itself is not in Chinese, so a screen reader switches voice."""
    from django.utils import translation
    from django.utils.safestring import mark_safe

    if (translation.get_language() or "").startswith("zh"):
        return ""
    return mark_safe(' lang="zh-CN"')
