"""The audit log's export (``wealthcrm.exports``): head office and admin, with the log page's filters."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from wealthcrm.audit.choices import AuditAction
from wealthcrm.audit.filters import AuditEventFilterSet
from wealthcrm.audit.models import AuditEvent
from wealthcrm.exports import sql
from wealthcrm.exports.registry import ExportKind, FilterRequest, register, valid_rows
from wealthcrm.org.choices import BANK_WIDE_ROLES


def event_rows(user, params):
    return valid_rows(AuditEventFilterSet(params, queryset=AuditEvent.objects.visible_to(user),
                                          request=FilterRequest(user)))


def event_columns() -> dict:
    return {
        "编号": F("pk"),
        "时间": sql.local_time("at"),
        "操作人": sql.staff_name("actor"),
        "动作": sql.label("action", AuditAction.choices),
        "对象类型": sql.text("object_type"),
        "对象ID": sql.text("object_id"),
        "客户号": sql.text("client__client_no"),
        "客户": sql.text("client__name"),
        "详情": sql.text("detail"),
        "IP地址": sql.text("ip"),
    }


# The log's after/before are its time filters (AuditEventFilterSet), not a page cursor.
register(ExportKind(code="audit_log", label=_("审计日志"), roles=BANK_WIDE_ROLES, rows=event_rows,
                    columns=event_columns, page="audit:list", paging=()))
