"""Benchmarked operations: each module exposes ``NAME`` and ``run(ctx) -> dict`` (the JSON fields), or
``{"rows": {NAME: fields, ...}}`` for an operation reported as several rows (``pages``)."""

from bench.ops import (
    aum_import,
    client_list_api,
    client_search,
    contact_post,
    kpi_recompute,
    my_day,
    pages,
    tier_recompute,
)

OPERATIONS = {module.NAME: module for module in (tier_recompute, kpi_recompute, client_list_api, contact_post,
                                                    aum_import)}
OPERATIONS.update({module.NAME: module for module in (pages, client_search, my_day)})

from bench.ops import csv_export, xlsx_report  # noqa: E402  (the monthly report)

OPERATIONS.update({module.NAME: module for module in (csv_export, xlsx_report)})
