from django.db import migrations


class Migration(migrations.Migration):
    """DirtyMonth now belongs to the freshness app, which keeps this table: the state only."""

    dependencies = [
        ('workload', '0002_one_index_for_rollup_cells'),
        ('freshness', '0001_dirty_month_moved_from_workload'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='DirtyMonth')],
            database_operations=[],
        ),
    ]
