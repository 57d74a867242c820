"""A dossier: incident sheets grouped and addressed to one institution, with the figures of
the statements for that institution and period, and what became of it (sent, answered, fixed).

A director's dossier belongs to the association, an analyst's to the federation; exactly one
of the two owns it, and nobody else ever finds it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import IncidentSheet
from organisations.models import Association, Federation
from referrals.models import Institution


class Fixed(models.TextChoices):
    UNKNOWN = "", _("not known yet")
    YES = "yes", _("fixed")
    PARTLY = "partly", _("partly fixed")
    NO = "no", _("not fixed")


class Dossier(models.Model):
    association = models.ForeignKey(
        Association, null=True, blank=True, on_delete=models.CASCADE, related_name="dossiers"
    )
    federation = models.ForeignKey(
        Federation, null=True, blank=True, on_delete=models.CASCADE, related_name="dossiers"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    title = models.CharField(_("title"), max_length=200)
    period_from = models.CharField(_("from (month)"), max_length=7)
    period_to = models.CharField(_("to (month)"), max_length=7)
    sheets = models.ManyToManyField(IncidentSheet, blank=True, related_name="dossiers")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    reply = models.TextField(_("the institution's reply"), blank=True, default="")
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    fixed = models.CharField(
        _("problem fixed"), max_length=10, choices=Fixed.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(association__isnull=False, federation__isnull=True)
                    | models.Q(association__isnull=True, federation__isnull=False)
                ),
                name="dossier_one_owner",
            ),
            models.CheckConstraint(
                condition=models.Q(fixed__in=["", "yes", "partly", "no"]),
                name="dossier_fixed_valid",
            ),
        ]

    def __str__(self):
        return self.title
