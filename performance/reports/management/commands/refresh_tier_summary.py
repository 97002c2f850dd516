from django.core.management.base import BaseCommand

from performance.reports import summary


class Command(BaseCommand):
    help = "Rebuild the tier summary table (dashboards, monthly report) for the last N months from history."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=24, help="months back from the current one (default 24)")

    def handle(self, *args, months, **options):
        done = summary.refresh_recent_tier_summaries(months=max(1, months))
        self.stdout.write(f"tier summary refreshed: {done[-1]:%Y-%m} … {done[0]:%Y-%m}")
