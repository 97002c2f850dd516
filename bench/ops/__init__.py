"""Benchmarked operations: each module exposes ``NAME`` and ``run(ctx) -> dict`` (the JSON fields)."""

from bench.ops import aum_import, client_list_api, contact_post, tier_recompute

OPERATIONS = {module.NAME: module for module in (tier_recompute, client_list_api, contact_post, aum_import)}

from bench.ops import csv_export, xlsx_report  # noqa: E402  (the monthly report)

OPERATIONS |= {module.NAME: module for module in (csv_export, xlsx_report)}
