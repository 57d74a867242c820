"""Orientations out that come back: the worker sends the person on to another service, the
service answers through a signed link (no account), and the association sees the answer.

What the receiving service may read is frozen at sending in `shared`: the need, as the worker
wrote it, and only the items the person consented to share. The public page reads that and
nothing else, so a later change to the entry or the person never reaches the other service.
`month` (of sending) is stored so figures group on a column; the median days to an answer is
computed from the rows (a median does not add up across months).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import AssistanceRequest, AssociationScopedQuerySet
from organisations.models import Association
from referrals.models import Institution

# How long a link opens, and when the service is reminded (days after sending).
LINK_VALID_DAYS = 8
REMINDER_AFTER_DAYS = 3
RECIPIENT_LANGUAGES = ("fr", "nl", "en")


class Orientation(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("sent, awaiting an answer")
        ACCEPTED = "accepted", _("accepted")
        REFUSED = "refused", _("refused")
        DONE = "done", _("done")
        NO_SHOW = "no_show", _("the person did not come")
        EXPIRED = "expired", _("expired without an answer")

    # What the person may consent to share, beyond the need itself.
    class Share(models.TextChoices):
        PROCEDURE = "procedure", _("the procedure concerned")
        LANGUAGE = "language", _("the language the person speaks")
        BIRTH_YEAR = "birth_year", _("the person's year of birth")
        POSTCODE = "postcode", _("the person's postcode")

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="orientations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The entry it was sent from; deleting the entry keeps the orientation (it was sent).
    assistance_request = models.ForeignKey(
        AssistanceRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orientations",
        verbose_name=_("entry"),
    )
    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("body of the registry"),
    )
    recipient_name = models.CharField(_("service or contact"), max_length=200, blank=True)
    recipient_email = models.EmailField(_("e-mail of the service"))
    recipient_language = models.CharField(_("language of the service"), max_length=2)
    need = models.TextField(_("what the person needs"))
    shared = models.JSONField(_("what the person consented to share"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    refusal_reason = models.TextField(_("reason for refusing"), blank=True, default="")
    sent_at = models.DateTimeField(_("sent"))
    month = models.CharField(max_length=7, editable=False)
    answered_at = models.DateTimeField(_("first answer"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last answer"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired"), null=True, blank=True)

    objects = AssociationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["sent", "accepted", "refused", "done", "no_show", "expired"]
                ),
                name="orientation_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(recipient_language__in=RECIPIENT_LANGUAGES),
                name="orientation_language_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(month__regex=r"^[0-9]{4}-[0-9]{2}$"),
                name="orientation_month_format",
            ),
            models.CheckConstraint(
                condition=~models.Q(institution__isnull=True, recipient_name=""),
                name="orientation_has_a_target",
            ),
        ]
        indexes = [
            models.Index(fields=["association", "month"], name="orientation_assoc_month"),
            models.Index(fields=["status", "sent_at"], name="orientation_status_sent"),
        ]

    def __str__(self):
        return f"{self.sent_at:%Y-%m-%d} → {self.target_name('fr')} ({self.status})"

    def target_name(self, language: str | None) -> str:
        if self.institution_id is not None:
            return self.institution.display_name(language)
        return self.recipient_name

    @property
    def is_open(self) -> bool:
        """The receiving service may still answer (or change an acceptance into an outcome)."""
        return self.status in (self.Status.SENT, self.Status.ACCEPTED)
