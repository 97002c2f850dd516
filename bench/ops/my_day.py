"""The advisor's "my day" (home page ``/``): measured in the ``pages`` run (bench/ops/pages.py), one advisor of
the largest branch after another."""

from bench.ops import pages

NAME = "my_day"


def run(ctx) -> dict:
    return pages.measure(ctx["template"])[NAME]
