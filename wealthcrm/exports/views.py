"""Export pages: request an export from a list page, follow it, download it (only its requester). Thin."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wealthcrm.exports import services, tasks
from wealthcrm.exports.choices import ACTIVE_STATUSES
from wealthcrm.exports.models import ExportJob
from wealthcrm.exports.registry import KINDS
from wealthcrm.scoped import scoped_object, scoped_page

LIST_SIZE = 30


@require_POST
@scoped_page(ExportJob)
def export_request(request, jobs, kind):
    """The "导出" button of a list: its action carries the page's query string (the filters shown)."""
    try:
        job = services.request_export(actor=request.user, code=kind, params=request.GET, request=request)
    except LookupError:
        raise Http404 from None
    except ValidationError as exc:
        return HttpResponseBadRequest(_("筛选条件无效，未导出：%(e)s") % {"e": "; ".join(exc.messages)})
    tasks.enqueue_export(job)
    return redirect("exports:detail", pk=job.pk)


@require_GET
@scoped_page(ExportJob)
def export_list(request, jobs):
    return render(request, "exports/list.html", _rows_context(jobs))


@require_GET
@scoped_page(ExportJob)
def export_rows(request, jobs):
    """The list alone, for htmx polling while any export is still being written."""
    return render(request, "exports/_rows.html", _rows_context(jobs))


@require_GET
@scoped_object(ExportJob)
def export_detail(request, job):
    template = "exports/_job.html" if request.htmx else "exports/detail.html"
    kind = KINDS.get(job.kind)
    return render(request, template, {"job": job, "page": kind.page if kind else ""})


def _rows_context(jobs) -> dict:
    latest = list(jobs.order_by("-id")[:LIST_SIZE])
    return {"jobs": latest, "polling": any(j.status in ACTIVE_STATUSES for j in latest)}
