"""The contact-attempt diary: the worker trying to reach an institution, and failing.

An attempt is the time an institution's channels cost before any work can start: the phone
line that rings out, the counter that is closed, the booking system with no slot (METRICS.md).
`institution_kind` is the effective kind: when an institution is given, its kind is stored.
`month` is derived by the service on every write, so that rollups group on a stored column;
which attempts are failed and owed is defined with the other figures, in workload.metrics.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import KIND_CODES, AssistanceRequest, AssociationScopedQuerySet
from organisations.models import Association
from referrals.models import Institution
from taxonomy import get_taxonomy

from .fields import MAX_WAITED_MINUTES

ATTEMPT_CHANNEL_CODES = get_taxonomy().codes("attempt_channels")
ATTEMPT_RESULT_CODES = get_taxonomy().codes("attempt_results")
# The one result that is not a failure (METRICS.md).
ANSWERED = "answered"


class ContactAttempt(models.Model):
    """One attempt to reach an institution for a person or a procedure."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="contact_attempts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_on = models.DateField(_("date"))
    month = models.CharField(max_length=7, editable=False)
    institution_kind = models.CharField(_("kind of institution"), max_length=30)
    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("institution"),
    )
    channel = models.CharField(_("channel tried"), max_length=20)
    result = models.CharField(_("result"), max_length=30)
    waited_minutes = models.PositiveSmallIntegerField(_("time lost (minutes)"))
    # The entry the attempt was for; deleting the entry keeps the attempt (its time was lost).
    assistance_request = models.ForeignKey(
        AssistanceRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_attempts",
        verbose_name=_("entry"),
    )
    notes = models.TextField(_("notes"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssociationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(waited_minutes__lte=MAX_WAITED_MINUTES),
                name="attempt_waited_0_to_600",
                violation_error_message=_("The time lost must be between 0 and 600 minutes."),
            ),
            models.CheckConstraint(
                condition=models.Q(institution_kind__in=KIND_CODES),
                name="attempt_kind_in_taxonomy",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=ATTEMPT_CHANNEL_CODES),
                name="attempt_channel_in_taxonomy",
            ),
            models.CheckConstraint(
                condition=models.Q(result__in=ATTEMPT_RESULT_CODES),
                name="attempt_result_in_taxonomy",
            ),
            models.CheckConstraint(
                condition=models.Q(month__regex=r"^[0-9]{4}-[0-9]{2}$"), name="attempt_month_format"
            ),
        ]
        indexes = [
            models.Index(fields=["association", "month"], name="attempt_assoc_month"),
            models.Index(fields=["association", "occurred_on"], name="attempt_assoc_day"),
        ]

    def __str__(self):
        return f"{self.occurred_on} {self.institution_kind} {self.channel} {self.result}"
