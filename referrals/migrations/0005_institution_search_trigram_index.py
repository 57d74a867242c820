from django.db import migrations, transaction

INDEX = "referrals_institution_search_trgm"


def create_index(apps, schema_editor):
    # "Contains" searches over the normalised names: on PostgreSQL a trigram index serves them
    # (SQLite scans the table, small enough). Without the right to create pg_trgm the search
    # still works, by a scan: the migration must not fail for an index.
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic():
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON referrals_institution "
                "USING gin (search_text gin_trgm_ops)"
            )
    except Exception:  # any refusal (no right to create pg_trgm) leaves the scan
        pass


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("referrals", "0004_institution_registry_fields")]

    operations = [migrations.RunPython(create_index, drop_index)]
