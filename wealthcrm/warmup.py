"""What a web worker does once, before it takes its first request, so no user pays for it.

A fresh gunicorn worker imports the URL configuration (every view, DRF, pandas for the import guide), compiles each
template on first use and loads the translation catalogues lazily: measured with ``gunicorn -w 1`` on the demo
bank, a worker's first ``/`` took 650–1,300 ms, the second 50 ms. With two workers that take turns, the bench's
rows caught the second worker's first page as their tail (``my_day`` p95 172 ms, its slowest request 1,072 ms).
Nothing here touches the database: a worker forked with ``--preload`` must not share a connection.
"""

import gc
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.template.utils import get_app_template_dirs
from django.urls import reverse
from django.utils import translation


def project_templates() -> list[str]:
    """The names of the project's own templates (not those of installed packages such as the admin)."""
    root = Path(settings.BASE_DIR).resolve()
    dirs = [Path(d).resolve() for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    dirs += [Path(d).resolve() for d in get_app_template_dirs("templates")]
    return sorted({str(path.relative_to(folder)) for folder in dirs if folder.is_relative_to(root)
                   and ".venv" not in folder.parts for path in folder.rglob("*.html")})


def warm_up() -> None:
    reverse("health")   # imports every view module and builds the tables reverse() and {% url %} use
    names = project_templates()
    for engine in engines.all():
        for name in names:
            engine.get_template(name)   # the cached loader keeps the compiled template for the process
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("")
    # What was loaded lives as long as the process: out of the collector's way, so a full collection in a later
    # request does not walk it all again (gc.freeze, made for forking servers).
    gc.collect()
    gc.freeze()
