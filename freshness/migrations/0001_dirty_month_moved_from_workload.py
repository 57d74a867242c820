import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """DirtyMonth moves here from the workload app, keeping its table: the state only.

    The table was created by workload's first migration; depending on it keeps any later
    change to the table after its creation on a new database.
    """

    initial = True

    dependencies = [
        ('organisations', '0001_initial'),
        ('workload', '0001_rollups_dirty_months_and_jobs'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DirtyMonth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.CharField(max_length=7)),
                        ('version', models.PositiveBigIntegerField(default=1)),
                        ('marked_at', models.DateTimeField(auto_now=True)),
                        ('association', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisations.association')),
                    ],
                    options={
                        'db_table': 'workload_dirtymonth',
                        'constraints': [models.UniqueConstraint(fields=('association', 'month'), name='dirty_month_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
