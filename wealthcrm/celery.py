"""The Celery application: ``celery -A wealthcrm worker`` / ``celery -A wealthcrm beat``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wealthcrm.settings")

app = Celery("wealthcrm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
