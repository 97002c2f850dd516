from wealthcrm import navigation
from wealthcrm.org.choices import CLIENT_DATA_ROLES


def navigation_context(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    items = navigation.items_for(user)
    current = request.path
    # One entry is highlighted: the one whose URL is the longest prefix of this page (客户 vs 数据导入 /clients/imports/).
    matches = [item for item in items if (current == "/" if item["url"] == "/" else current.startswith(item["url"]))]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items,
            "header_search": user.is_authenticated and user.effective_role in CLIENT_DATA_ROLES}
