"""What survives a worker's death: how often a task message was started for one key.

Tasks are acknowledged late and re-queued when their worker dies, so a message that kills
its worker every time (a poison message) would loop for ever. The counter lives in the
database, outside the task's transaction, so a kill cannot roll it back.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskDelivery(models.Model):
    task = models.CharField(_("task"), max_length=200)
    key = models.CharField(_("key"), max_length=200)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    first_started_at = models.DateTimeField(_("first started"), auto_now_add=True)
    last_started_at = models.DateTimeField(_("last started"), auto_now=True)
    # Set once the guard has given up on the message; cleared by a later success.
    abandoned_at = models.DateTimeField(_("abandoned"), null=True, blank=True)

    class Meta:
        verbose_name = _("task delivery")
        verbose_name_plural = _("task deliveries")
        constraints = [
            models.UniqueConstraint(fields=["task", "key"], name="task_delivery_unique"),
        ]

    def __str__(self):
        return f"{self.task}[{self.key}] × {self.attempts}"
