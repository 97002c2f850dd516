import importlib
import random

from django.apps import apps
from django.core.management.base import BaseCommand

from wealthcrm import demo


class Command(BaseCommand):
    help = "Build (or refresh) the demo bank: org units, staff, and whatever each app's demo module adds."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same bank)")
        parser.add_argument("--clients", type=int, default=2000, help="number of demo clients")

    def handle(self, *args, seed, clients, **options):
        rng = random.Random(seed)
        self.stdout.write("Seeding demo data…")
        demo.seed(stdout=self.stdout, rng=rng)
        # Each app may ship a ``demo`` module with ``seed(stdout=, rng=, clients=)``; run in INSTALLED_APPS order.
        for config in apps.get_app_configs():
            if config.name == "wealthcrm":
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            module.seed(stdout=self.stdout, rng=random.Random(f"{seed}-{config.label}"), clients=clients)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Every demo sign-in uses the password {demo.DEMO_PASSWORD}"))
        for username, what in demo.DEMO_SIGN_INS:
            self.stdout.write(f"  {username:<14} {what}")
