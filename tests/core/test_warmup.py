"""A web worker is ready before its first request: loading ``wealthcrm.wsgi`` (what gunicorn does in each worker)
imports every view, compiles every template of the project and loads both languages' catalogues, so the first user
of a fresh worker does not pay for it. Checked in a subprocess, as a worker starts."""

import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]

WORKER = """
import gc, json, sys
from wealthcrm.wsgi import application
from django.template import engines
from django.urls import resolve, reverse
from django.utils import translation
from wealthcrm.warmup import project_templates

loaded = set(sys.modules)
engine = engines["django"].engine
cached = engine.template_loaders[0]
compiled = len(cached.get_template_cache)
for name in project_templates():
    engine.get_template(name)
resolve("/"); reverse("api-docs")
for code in ("zh-hans", "en"):
    with translation.override(code):
        translation.gettext("工作台")
print(json.dumps({"templates": len(project_templates()), "compiled_at_start": compiled,
                  "compiled_after": len(cached.get_template_cache), "new_modules": sorted(set(sys.modules) - loaded),
                  "frozen": gc.get_freeze_count(), "loader": type(cached).__name__}))
"""


def test_loading_the_wsgi_application_readies_the_worker_for_its_first_request():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wealthcrm.settings", "DEBUG": "0", "SECURE_SSL_REDIRECT": "0",
           "SECRET_KEY": "k3J9-vQ2_xL7pR4tY8wE1zN6mB0cF5hG2jK7lP9sD4aQ8uI3oV6yT1rW5eX0nM2bZ",
           "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode()}
    out = subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 0, out.stderr
    worker = json.loads(out.stdout.strip().splitlines()[-1])
    assert worker["loader"] == "Loader"            # django.template.loaders.cached
    assert worker["templates"] > 50                # the project's own pages, partials and e-mails
    assert worker["compiled_at_start"] >= worker["templates"]
    assert worker["compiled_after"] == worker["compiled_at_start"], "a template compiled on first use"
    assert worker["new_modules"] == [], "the first request would import these"
    assert worker["frozen"] > 0                    # start-up objects kept out of the collector's way
