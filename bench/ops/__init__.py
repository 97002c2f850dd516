"""Benchmarked operations: each module exposes ``NAME`` and ``run(ctx) -> dict`` (the JSON fields), or
``{"rows": {NAME: fields, ...}}`` for an operation reported as several rows (``pages``)."""

from bench.ops import (
    aum_import,
    branch_dashboard,
    client_list_api,
    client_search,
    contact_post,
    csv_export,
    kpi_recompute,
    my_day,
    pages,
    tier_recompute,
    tier_recompute_monthly,
    xlsx_report,
)

OPERATIONS = {module.NAME: module for module in (tier_recompute, tier_recompute_monthly, kpi_recompute,
                                                    client_list_api, contact_post, aum_import)}
OPERATIONS.update({module.NAME: module for module in (pages, client_search, my_day, branch_dashboard, csv_export,
                                                      xlsx_report)})
