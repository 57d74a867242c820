"""A person's mandate to the association: acting in their place, lawfully (API.md, METRICS.md).

A mandate covers one or more top-level procedure domains (its scopes), from `starts_on` to
`ends_on` inclusive (at most one year), and no longer from `revoked_on` on. It is signed on
paper or given in person and recorded; `consent_text_sha256` is the SHA-256 of the exact wording
printed for the person, in `language`, so that the association can later prove what was agreed.
A revoked or expired mandate is kept: it is the proof of what was done under it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import AssociationScopedQuerySet, Person
from organisations.models import Association

PAPER, IN_PERSON = "paper", "in_person"
FORMS = (PAPER, IN_PERSON)
# The languages the form is printed in.
FORM_LANGUAGES = ("fr", "nl", "en")


class Mandate(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="mandates")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="mandates")
    reference = models.CharField(_("reference"), max_length=20, editable=False)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    form = models.CharField(_("given"), max_length=10)
    language = models.CharField(_("language of the form"), max_length=2, default="fr")
    consent_text_sha256 = models.CharField(max_length=64, editable=False)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    # Set by the nightly job once the term is over, so that the expiry is recorded once.
    expired_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssociationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "reference"], name="mandate_reference_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="mandate_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_on__isnull=True)
                | models.Q(revoked_on__gte=models.F("starts_on")),
                name="mandate_revoked_after_start",
            ),
            models.CheckConstraint(condition=models.Q(form__in=FORMS), name="mandate_form_valid"),
            models.CheckConstraint(
                condition=models.Q(language__in=FORM_LANGUAGES), name="mandate_language_valid"
            ),
        ]
        indexes = [models.Index(fields=["association", "person"], name="mandate_assoc_person")]

    def __str__(self):
        return self.reference

    @property
    def scope_codes(self) -> list[str]:
        return sorted(s.code for s in self.scopes.all())

    def in_force_on(self, day) -> bool:
        """METRICS.md: from `starts_on` to `ends_on` inclusive, no longer from `revoked_on` on."""
        if not (self.starts_on <= day <= self.ends_on):
            return False
        return self.revoked_on is None or day < self.revoked_on

    def covers(self, root: str, day) -> bool:
        return self.in_force_on(day) and root in self.scope_codes


class MandateScope(models.Model):
    """One top-level procedure domain a mandate covers."""

    mandate = models.ForeignKey(Mandate, on_delete=models.CASCADE, related_name="scopes")
    code = models.CharField(max_length=30)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mandate", "code"], name="mandate_scope_unique")
        ]

    def __str__(self):
        return self.code
