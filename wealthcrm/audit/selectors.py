"""The audit trail as people read it: objects by name, details in words instead of ``{'via': 'page'}``."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from wealthcrm.org.models import Staff

# Keys and codes the services write into ``detail`` (wealthcrm/audit/services.py ``record``), in words.
DETAIL_KEYS = {
    "via": _("途径"), "field": _("字段"), "fields": _("字段"), "filters": _("筛选条件"), "list": _("清单"),
    "from_advisor": _("原顾问"), "to_advisor": _("新顾问"), "username": _("登录名"), "sign_in": _("登录"),
    "month": _("月份"), "format": _("格式"), "rows": _("行数"),
}
DETAIL_VALUES = {
    "via": {"page": _("页面"), "api": _("接口")},
    "list": {"near_threshold": _("临界提级客户")},
    "sign_in": {"unlocked": _("已解锁")},
}
STAFF_KEYS = ("from_advisor", "to_advisor")
OBJECT_TYPES = {"auth": _("登录")}


def _model(object_type: str):
    """The model an ``object_type`` names: ``clients.client`` (app label and model) or a bare ``client``."""
    app_label, _dot, model_name = object_type.rpartition(".")
    try:
        if app_label:
            return apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None
    return next((m for m in apps.get_models() if m._meta.model_name == model_name), None)


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name) if model else name
    except FieldDoesNotExist:
        return name


def _value_text(key: str, value, model, staff: dict) -> str:
    if key in STAFF_KEYS:
        return staff.get(value, f"#{value}")
    if key in ("field", "fields"):
        return "、".join(_field_label(model, name) for name in ([value] if isinstance(value, str) else value))
    if key == "filters" and isinstance(value, dict):
        return "；".join(f"{_field_label(model, k)}={v}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(DETAIL_VALUES.get(key, {}).get(value, value))


def readable(events: list) -> list:
    """``events`` each given ``object_label`` ("客户", "推荐 #12") and ``details``
    (label, text) pairs; the staff named in details come in one query for the page."""
    staff_ids = {e.detail.get(key) for e in events if isinstance(e.detail, dict) for key in STAFF_KEYS}
    staff_ids = {pk for pk in staff_ids if isinstance(pk, int)}
    staff = {s.pk: str(s) for s in Staff.objects.filter(pk__in=staff_ids)} if staff_ids else {}
    for event in events:
        model = _model(event.object_type) if event.object_type else None
        kind = OBJECT_TYPES.get(event.object_type) or (model._meta.verbose_name if model else event.object_type)
        # A client is named in the page's client column (name and number); other objects by their id.
        is_client = model is not None and model._meta.label_lower == "clients.client"
        event.object_label = f"{kind} #{event.object_id}" if event.object_id and not is_client else str(kind)
        detail = event.detail if isinstance(event.detail, dict) else {}
        event.details = [(DETAIL_KEYS.get(key, key), _value_text(key, value, model, staff))
                         for key, value in detail.items()]
    return events
