"""Demo data for ``manage.py seed_demo``: the tier summary of the last 24 months, so the trend has history, and the
dashboards' channel and callback summaries."""

from performance.reports import summary

MONTHS = 24


def seed(*, stdout, rng, clients) -> None:
    """Idempotent: each month's summary is upserted from the same history."""
    done = summary.refresh_recent_tier_summaries(months=MONTHS)
    stdout.write(f"  tier summary: {len(done)} months")
    written = summary.refresh_dashboard_summaries()
    stdout.write(f"  dashboard summaries: {written['channels']} channel rows, {written['callbacks']} callback rows")
