"""The monthly report page (head office): request a report, follow its progress, download past ones. Thin."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from performance.reports import services
from performance.reports.choices import ACTIVE_STATUSES
from performance.reports.forms import MonthlyReportForm
from performance.reports.models import MonthlyReport
from wealthcrm.forms import add_service_errors
from wealthcrm.org.choices import BANK_WIDE_ROLES
from wealthcrm.org.decorators import role_required

LIST_SIZE = 30


@role_required(*BANK_WIDE_ROLES)
def report_list(request):
    form = MonthlyReportForm(request.POST or None, initial={"month": f"{services.current_month():%Y-%m}"})
    if request.method == "POST" and form.is_valid():
        try:
            services.request_monthly_report(actor=request.user, month=form.cleaned_data["month"],
                                            format=form.cleaned_data["format"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("报告已提交，正在后台生成。"))
            return redirect("reports:list")
    return render(request, "reports/list.html", {"form": form, **_rows_context(request.user)})


@role_required(*BANK_WIDE_ROLES)
@require_GET
def report_rows(request):
    """The list of reports alone, for htmx polling while any is still being built."""
    return render(request, "reports/_rows.html", _rows_context(request.user))


def _rows_context(user) -> dict:
    reports = list(MonthlyReport.objects.visible_to(user).select_related("requested_by")[:LIST_SIZE])
    return {"reports": reports, "polling": any(r.status in ACTIVE_STATUSES for r in reports)}
