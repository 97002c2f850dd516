"""Benchmarked operations: each module exposes ``NAME`` and ``run(ctx) -> dict`` (the JSON fields)."""

from bench.ops import aum_import, client_list_api, contact_post, kpi_recompute, tier_recompute

OPERATIONS = {module.NAME: module for module in (tier_recompute, kpi_recompute, client_list_api, contact_post,
                                                    aum_import)}
