"""Benchmarked operations: each module exposes ``NAME`` and ``run(ctx) -> dict`` (the JSON fields)."""

from bench.ops import tier_recompute

OPERATIONS = {module.NAME: module for module in (tier_recompute,)}
