"""The monthly report page (head office): request a report, follow its progress, download past ones. Thin."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from performance.reports import services, summary, tasks
from performance.reports.forms import MonthlyReportForm
from performance.reports.models import MonthlyReport
from wealthcrm.exports.choices import ACTIVE_STATUSES
from wealthcrm.forms import add_service_errors
from wealthcrm.org.choices import BANK_WIDE_ROLES
from wealthcrm.scoped import scoped_page

LIST_SIZE = 30


@scoped_page(MonthlyReport, roles=BANK_WIDE_ROLES)
def report_list(request, reports):
    form = MonthlyReportForm(request.POST or None, initial={"month": f"{summary.current_month():%Y-%m}"})
    if request.method == "POST" and form.is_valid():
        try:
            report = services.request_monthly_report(actor=request.user, month=form.cleaned_data["month"],
                                                     format=form.cleaned_data["format"])
            tasks.enqueue_build(report)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("报告已提交，正在后台生成。"))
            return redirect("reports:list")
    return render(request, "reports/list.html", {"form": form, **_rows_context(reports)})


@require_GET
@scoped_page(MonthlyReport, roles=BANK_WIDE_ROLES)
def report_rows(request, reports):
    """The list of reports alone, for htmx polling while any is still being built."""
    return render(request, "reports/_rows.html", _rows_context(reports))


def _rows_context(reports) -> dict:
    latest = list(reports.select_related("requested_by")[:LIST_SIZE])
    return {"reports": latest, "polling": any(r.status in ACTIVE_STATUSES for r in latest)}
