from django import template

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
