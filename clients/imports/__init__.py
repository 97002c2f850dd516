"""File imports from core banking (API.md "Import files"): clients, AUM snapshots and sales.

Three parts, each with one concern: the kernel's tabular reader (``wealthcrm.tabular``: CSV UTF-8/GBK or XLSX,
streamed in chunks), cell parsing (``cells``) and the job (``job``: header check, row validation, upserts,
progress and the ImportJob's outcome). The Celery task that runs a job lives in ``clients.tasks``, which
imports this package and never the other way round.
"""

from clients.imports.job import (
    ALLOWED_SUFFIXES,
    check_upload,
    create_import_job,
    process_file,
    run_import,
)

__all__ = ["ALLOWED_SUFFIXES", "check_upload", "create_import_job", "process_file",
           "run_import"]
