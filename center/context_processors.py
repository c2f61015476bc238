from center import registry


def portal(request):
    user = getattr(request, "user", None)
    links = []
    for link in registry.nav_links():
        try:
            if link.visible(user):
                links.append(link)
        except Exception:  # a broken predicate must not take the whole site down
            continue
    unread = 0
    if user is not None and user.is_authenticated:
        from center.selectors import unread_count

        unread = unread_count(user=user)
    return {"portal_nav": links, "unread_notifications": unread}
