"""File imports from core banking (API.md "Import files"): clients, AUM snapshots and sales.

Three parts, each with one concern: the kernel's tabular reader (``wealthcrm.tabular``: CSV UTF-8/GBK or XLSX,
streamed in chunks), cell parsing (``cells``) and the job (``job``: header check, row validation, upserts,
progress and the ImportJob's outcome). The Celery task that runs a job lives in ``clients.tasks``, which
imports this package and never the other way round.
"""

from clients.imports.guide import column_guide, template_xlsx
from clients.imports.job import (
    ALLOWED_SUFFIXES,
    check_upload,
    confirm_import,
    create_import_job,
    preview_rows,
    process_file,
    requeue_stale_jobs,
    run_import,
)

__all__ = ["ALLOWED_SUFFIXES", "check_upload", "column_guide", "confirm_import", "create_import_job",
           "preview_rows", "process_file", "requeue_stale_jobs", "run_import", "template_xlsx"]
