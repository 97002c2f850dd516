"""The one way to write the audit trail."""

import ipaddress

from django.conf import settings
from django.db import models

from wealthcrm.audit.models import AuditEvent


def client_ip(request) -> str | None:
    """The caller's address: the peer's, or behind a proxy of ``settings.TRUSTED_PROXIES`` the nearest address in
    X-Forwarded-For that is not one of those proxies.

    Read from the right: entries further left were written by the client itself and can be forged to dodge the
    per-address sign-in limit. A malformed entry stops the walk at the proxy's own address.
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or None
    trusted = settings.TRUSTED_PROXIES
    if not address or not trusted or not _within(address, trusted):
        return address
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        try:
            hop_address = ipaddress.ip_address(hop.strip())
        except ValueError:
            return address
        if not _within(str(hop_address), trusted):
            return str(hop_address)
    return address


def _within(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _storable(value):
    """``detail`` as PostgreSQL's jsonb accepts it: no NUL characters (a query string may carry ``%00``)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable(v) for v in value]
    return value


def record(*, action: str, actor=None, obj: models.Model | None = None, object_type: str = "",
           object_id="", client=None, detail: dict | None = None, request=None, ip: str | None = None) -> AuditEvent:
    """Append one event. ``obj`` fills object type/id; ``client`` links the event to a client (id or instance).

    ``detail`` must never hold personal data itself (ID or phone numbers): name the field, not its value.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    client_id = getattr(client, "pk", client)
    return AuditEvent.objects.create(
        action=action, actor=actor, object_type=object_type, object_id=str(object_id or ""),
        client_id=client_id, detail=_storable(detail or {}), ip=ip or client_ip(request),
    )
