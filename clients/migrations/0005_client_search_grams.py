import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models

# IMMUTABLE so that an index can be built on it; PARALLEL SAFE so that the index builds with parallel workers.
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION client_search_grams(name text, client_no text) RETURNS varchar(3)[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(s, i, n))::varchar(3)[], '{}')
    FROM (VALUES (lower(name)), (lower(client_no))) AS v(s),
         generate_series(1, 3) AS n,
         generate_series(1, char_length(s) - n + 1) AS i
$$
"""


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0004_callback_plan_defaults"),
    ]

    operations = [
        migrations.RunSQL(CREATE_FUNCTION, "DROP FUNCTION IF EXISTS client_search_grams(text, text)"),
        migrations.AddIndex(
            model_name="client",
            index=django.contrib.postgres.indexes.GinIndex(
                models.Func(models.F("name"), models.F("client_no"), function="client_search_grams",
                            output_field=django.contrib.postgres.fields.ArrayField(models.CharField(max_length=3))),
                name="client_search_grams"),
        ),
    ]
