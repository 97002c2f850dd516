"""Client search (any part of a name, client number, phone): measured in the ``pages`` run (bench/ops/pages.py).

``GET /api/v1/clients/?search=`` by the largest branch's manager and head office, a quarter each of: the first
two characters of a name, the name without its surname, a client number, a mobile number; the detail says, per
kind, how often the client looked for was on the first page.
"""

from bench.ops import pages

NAME = "client_search"


def run(ctx) -> dict:
    return pages.measure(ctx["template"])[NAME]
