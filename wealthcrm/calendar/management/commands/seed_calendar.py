from django.core.management.base import BaseCommand

from wealthcrm.calendar import services


class Command(BaseCommand):
    help = "Fill the business-day calendar for a range of years (official data, else fallback; manual kept)."

    def add_arguments(self, parser):
        this_year = services.bank_today().year
        parser.add_argument("--first", type=int, default=this_year)
        parser.add_argument("--last", type=int, default=this_year + 1)

    def handle(self, *args, first, last, **options):
        written = services.seed_years(first, last)
        self.stdout.write(f"calendar: {written} days written for {first}-{last}")
        for message in services.coverage_warnings():
            self.stdout.write(self.style.WARNING(message))
