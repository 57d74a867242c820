"""The dirty-month outbox: which association-months the log changed since their figures were
last computed.

This app sits between the log and its rollups. The log marks months here in its own
transaction; the workload app, above both, reads the marks, recomputes and clears them. This
app imports neither: the association is named by string, the recomputation task by its name.
"""

from django.db import models


class DirtyMonth(models.Model):
    """An association-month whose rollups may be stale: the outbox of recomputation.

    Written in the same transaction as the entry, so a mark can never be lost even when the
    broker is down. `version` grows with every mark; a recomputation removes the mark only if
    the version it read is still the current one, so a write during a recomputation keeps it.
    """

    association = models.ForeignKey(
        "organisations.Association", on_delete=models.CASCADE, related_name="+"
    )
    month = models.CharField(max_length=7)
    version = models.PositiveBigIntegerField(default=1)
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table the workload app created, kept when the model moved here.
        db_table = "workload_dirtymonth"
        constraints = [
            models.UniqueConstraint(fields=["association", "month"], name="dirty_month_unique"),
        ]

    def __str__(self):
        return f"{self.association_id}:{self.month} v{self.version}"
