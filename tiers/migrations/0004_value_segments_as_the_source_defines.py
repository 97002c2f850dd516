"""Value segments as the source documents draw them (PRODUCT.md "Tiers"): A 成长期 is current value low with high
potential, B 培育期 both high. Earlier recomputes stored the two the other way round; swap them in one statement so
pages and exports are right before the next nightly recompute (which computes them afresh anyway)."""

from django.db import migrations

SWAP = """
UPDATE clients_client SET value_segment = CASE value_segment WHEN 'A' THEN 'B' ELSE 'A' END
WHERE value_segment IN ('A', 'B')
"""


class Migration(migrations.Migration):
    dependencies = [
        ("tiers", "0003_policy_thresholds"),
        ("clients", "0005_client_search_grams"),
    ]

    # The swap is its own inverse.
    operations = [migrations.RunSQL(SWAP, SWAP)]
