from django.db import migrations


def load(apps, schema_editor):
    # The registry's data files as they are when the database is migrated; later changes to
    # them are written by `manage.py load_registry` (docs/registry.md).
    from referrals.registry import load_registry

    load_registry(apps.get_model("referrals", "Institution"))


class Migration(migrations.Migration):
    dependencies = [("referrals", "0005_institution_search_trigram_index")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
