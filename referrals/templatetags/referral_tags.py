from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.choices import ContactChannel
from referrals.choices import ReferralStatus
from referrals.models import Referral
from referrals.services import REMINDER_LEAD

register = template.Library()


@register.inclusion_tag("referrals/_client_referrals.html")
def client_referrals(client, user):
    """``{% client_referrals client user %}``: the client's referrals the user may see (client 360 page)."""
    referrals = list(Referral.objects.visible_to(user).with_access(user).filter(client=client)
                     .select_related("referrer", "advisor").order_by("-recommended_at")[:20])
    return {"referrals": referrals, "client": client}


def _span(seconds: int) -> str:
    minutes = seconds // 60
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s 天 %(h)s 小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s 小时 %(m)s 分") % {"h": hours, "m": mins}
    return _("%(m)s 分钟") % {"m": mins}


@register.filter
def time_left(due, now=None):
    """"剩 5 小时 20 分" before the deadline, "超时 3 小时" after it."""
    if due is None:
        return ""
    seconds = int((due - (now or timezone.now())).total_seconds())
    if seconds >= 0:
        return _("剩 %(span)s") % {"span": _span(seconds)}
    return _("超时 %(span)s") % {"span": _span(-seconds)}


@register.simple_tag
def due_class(referral, now=None):
    """Badge colour of the deadline: red when breached, amber within the reminder lead (two hours), else blue."""
    if referral.sla_breached:
        return "badge-bad"
    if referral.status != ReferralStatus.RECOMMENDED:
        return "badge-ok"
    left = referral.sla_due_at - (now or timezone.now())
    return "badge-bad" if left.total_seconds() < 0 else "badge-warn" if left < REMINDER_LEAD else "badge-info"


@register.simple_tag
def contact_channels():
    """The channels a follow-up may take (the contact action's drop-down)."""
    return ContactChannel.choices
