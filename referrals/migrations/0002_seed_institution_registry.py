from django.db import migrations


def seed(apps, schema_editor):
    from referrals.registry import seed_registry

    seed_registry(apps.get_model("referrals", "Institution"))


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
