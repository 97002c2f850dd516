"""Nightly core-banking feed: ``manage.py import_file --kind aum_snapshots /data/aum_20260131.csv``."""

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from clients import imports
from clients.choices import ImportKind, ImportStatus
from clients.models import ImportJob


class Command(BaseCommand):
    help = "Import a CSV/XLSX file (clients, aum_snapshots, sales) synchronously, printing progress."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=ImportKind.values)
        parser.add_argument("path")

    def handle(self, *args, kind, path, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"file not found: {source}")
        with source.open("rb") as fh:
            # Kept as an ImportJob like an upload, so the import page lists the nightly runs too.
            job = ImportJob(kind=kind, original_name=source.name)
            job.file.save(source.name, File(fh), save=False)
            job.save()
        job = imports.run_import(job_id=job.pk, on_progress=lambda pct: self.stdout.write(f"  {pct}%"))
        for error in job.errors[:50]:
            self.stdout.write(f"  row {error['row']} {error.get('column', error['field'])}: {error['message']}")
        summary = (f"import #{job.pk} {job.status}: created {job.created}, updated {job.updated}, "
                   f"unchanged {job.unchanged}, rejected rows {job.rejected}, errors {job.error_count}")
        if job.status == ImportStatus.FAILED:
            raise CommandError(f"{summary}: {job.message}")
        self.stdout.write(self.style.SUCCESS(summary))
