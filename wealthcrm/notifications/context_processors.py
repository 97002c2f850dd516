from django.utils.functional import SimpleLazyObject

from wealthcrm.notifications import services


def unread(request):
    """``unread_notifications``: the count on the navigation bell, queried only if a template shows it."""
    user = getattr(request, "user", None)
    return {"unread_notifications": SimpleLazyObject(lambda: services.unread_count(user))}
