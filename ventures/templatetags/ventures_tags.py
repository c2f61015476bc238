from django import template

from center.money import format_wan, format_yuan

register = template.Library()


@register.filter
def yuan(value, places=2):
    """Money in tables, the kernel's one format: 40000 -> "¥40,000.00" (cents always shown;
    `places` is kept for old templates and ignored)."""
    return format_yuan(value)


@register.filter
def wan(value):
    """Headline totals: 1445000 -> "144.5 万元" / "1.445 million yuan"."""
    return format_wan(value)


@register.filter
def total(rows, attr="amount"):
    """Sum of one attribute over rows (a 合计 row under a budget table)."""
    return sum(((r.get(attr) if isinstance(r, dict) else getattr(r, attr)) or 0 for r in rows), 0)


@register.filter
def mark_cutoff(apps, budget):
    """The ranking's rows with `over_budget_first` set on the first row whose cumulative
    amount passes the budget: the page draws the budget cut-off line above it."""
    rows = list(apps)
    for app in rows:
        app.over_budget_first = False
    for app in rows:
        if budget is not None and getattr(app, "cumulative", None) is not None and app.cumulative > budget:
            app.over_budget_first = True
            break
    return rows
