from wealthcrm import navigation


def navigation_context(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    items = navigation.items_for(user)
    current = request.path
    for item in items:
        item["active"] = item["url"] == current if item["url"] == "/" else current.startswith(item["url"])
    return {"nav_items": items}

