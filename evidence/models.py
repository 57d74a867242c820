"""The federation's evidence: frozen releases, and the signed bundles through which an
association on its own server feeds its federation's aggregates.

Rollups of local members are read from the workload app; a separate instance's figures
arrive as `ImportedCell` rows, the same cells an association's rollups hold, never an entry,
a person or a narrative.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Association, Federation
from workload.models import RollupCell


class ReleaseQuerySet(models.QuerySet):
    def current(self):
        return self.filter(superseded_by__isnull=True)


class Release(models.Model):
    """A frozen, versioned set of suppressed aggregate tables of one federation and period.

    Append-only: `content` is the canonical JSON that was published and `sha256` its hash;
    `save()` on an existing row and `delete()` raise. The one later change, `superseded_by`,
    is written by `release_publish` through an UPDATE of that column alone.
    """

    federation = models.ForeignKey(Federation, on_delete=models.PROTECT, related_name="releases")
    version = models.PositiveIntegerField(_("version"))
    period_start = models.CharField(_("from"), max_length=7)
    period_end = models.CharField(_("to"), max_length=7)
    k = models.PositiveSmallIntegerField()
    associations = models.PositiveIntegerField(_("contributing associations"))
    metrics_version = models.CharField(max_length=20)
    content = models.TextField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    # Never published: per cell, whether it was suppressed and each contributing source's
    # entries and a fingerprint of its figures (never the figures), so that a later release
    # can be kept from being subtracted from this one. Null on releases published before.
    contributions = models.JSONField(null=True, editable=False)
    # Never published either: per table, how many cells each rule of disclosure control
    # suppressed ({table: {reason: n}}), for the federation's analysts. Which rule hid a
    # cell says something about it (fewer than k entries, or fewer than 3 associations).
    suppression = models.JSONField(null=True, editable=False)
    # The preview the analyst confirmed (its fingerprint, which names the version): the
    # same confirmation sent twice finds this release instead of publishing another.
    confirmation = models.CharField(max_length=64, blank=True, default="", editable=False)
    published_at = models.DateTimeField()
    # PROTECT: who published a release stays known; an analyst who leaves is deactivated.
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering = ["federation", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "version"], name="release_version_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="release_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["federation", "confirmation"],
                condition=~models.Q(confirmation=""),
                name="release_confirmation_unique",
            ),
        ]

    def __str__(self):
        return f"{self.federation_id} v{self.version} {self.period_start}–{self.period_end}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("A published release can never be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A published release can never be deleted."))


class AssociationSigningKey(models.Model):
    """The Ed25519 key pair an association's server signs its evidence bundles with.

    The private key stays on the association's server (this table is never exported); the
    federation registers only the public key.
    """

    association = models.OneToOneField(
        Association, on_delete=models.CASCADE, related_name="evidence_signing_key"
    )
    private_key = models.CharField(max_length=64, editable=False)  # raw 32 bytes, base64
    public_key = models.CharField(max_length=64, editable=False)  # raw 32 bytes, base64
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence signing key")

    def __str__(self):
        return f"{self.association_id}: {self.public_key}"


class RemoteAssociation(models.Model):
    """An association that runs its own server and feeds this federation through bundles.

    Known by its slug and public key only; its figures are the cells of its last bundles.
    `shares_aggregates` off (the association asked to stop) removes them from every new
    aggregate, as for a local member.
    """

    federation = models.ForeignKey(
        Federation, on_delete=models.CASCADE, related_name="remote_associations"
    )
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=200, blank=True)
    public_key = models.CharField(max_length=64)
    shares_aggregates = models.BooleanField(_("shares its aggregates"), default=True)
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("association on its own server")
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "slug"], name="remote_association_unique"
            ),
        ]

    def __str__(self):
        return f"{self.slug} → {self.federation_id}"


class ImportedBundle(models.Model):
    """An accepted bundle: its id and issue time guard against replays."""

    source = models.ForeignKey(RemoteAssociation, on_delete=models.CASCADE, related_name="bundles")
    bundle_id = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField()
    period_start = models.CharField(max_length=7)
    period_end = models.CharField(max_length=7)
    cells = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.bundle_id} ({self.source_id})"


class ImportedCell(RollupCell):
    """One rollup cell of a remote association, as its last accepted bundle gave it."""

    source = models.ForeignKey(RemoteAssociation, on_delete=models.CASCADE, related_name="cells")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "month", "dimension", "group_key"],
                name="imported_cell_unique",
            ),
        ]
        indexes = [models.Index(fields=["dimension", "month"], name="imported_cell_read")]

    def __str__(self):
        return f"{self.source_id} {self.month} {self.dimension}={self.group_key}"
