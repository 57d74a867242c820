"""Rollups (a cache of METRICS.md figures, always rebuilt from the log) and the job record of
long work. The dirty-month outbox that keeps them fresh is the freshness app's."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Association

# The breakdowns of METRICS.md. `total` is the ungrouped month total.
TOTAL = "total"
DIMENSIONS = (
    "referrer_kind",
    "referred_by",
    "responsible_kind",
    "responsible_institution",
    "procedure_domain",
    "procedure",
    "barrier",
    "channel",
    "mode",
    "outcome",
)
INSTITUTION_DIMENSIONS = ("referred_by", "responsible_institution")
# The entry's column each entry-level dimension groups on; `barrier` comes from its own table.
GROUP_COLUMNS = {
    "referrer_kind": "referrer_kind",
    "referred_by": "referred_by_id",
    "responsible_kind": "responsible_kind",
    "responsible_institution": "responsible_institution_id",
    "procedure_domain": "procedure_root",
    "procedure": "procedure_domain",
    "channel": "channel",
    "mode": "mode",
    "outcome": "outcome",
}

# The counted metrics stored per cell; shares and euro values derive from them on reading.
# Those of the log's entries:
ENTRY_METRICS = (
    "requests",
    "minutes",
    "external_requests",
    "external_minutes",
    "digital_requests",
    "digital_minutes",
    "transferred_requests",
    "transferred_minutes",
    "referred_transferred_requests",
    "referred_transferred_minutes",
    "do_for_requests",
    "non_take_up",
    "postponed_technical",
    "once_only_violations",
    "without_consent_do_for",
    "sensitive_handling",
    "rights_at_risk",
    "rights_lost",
    # Euro sums of the rights ledger, kept in cents: exact integers that add up across
    # months and associations without rounding.
    "rights_delayed_cents",
    "rights_lost_cents",
    "do_for_without_mandate",
)
# Those of the contact-attempt diary, which count only in the month total and by responsible
# kind and institution (METRICS.md); in every other breakdown they are published as null.
ATTEMPT_METRICS = ("attempts", "failed_attempts", "owed_attempts", "owed_attempt_minutes")
COUNT_METRICS = (*ENTRY_METRICS, *ATTEMPT_METRICS)
# The dimensions in which attempts count, and the attempt's column each groups on.
ATTEMPT_GROUP_COLUMNS = {
    TOTAL: None,
    "responsible_kind": "institution_kind",
    "responsible_institution": "institution_id",
}


class RollupCell(models.Model):
    """The figures of one month, dimension and group: what a rollup computes here and what an
    association on its own server sends its federation (evidence.ImportedCell)."""

    month = models.CharField(max_length=7)
    dimension = models.CharField(max_length=30)
    group_key = models.CharField(max_length=40, blank=True, default="")
    hourly_cost_eur = models.DecimalField(max_digits=7, decimal_places=2)
    requests = models.PositiveIntegerField(default=0)
    minutes = models.PositiveBigIntegerField(default=0)
    external_requests = models.PositiveIntegerField(default=0)
    external_minutes = models.PositiveBigIntegerField(default=0)
    digital_requests = models.PositiveIntegerField(default=0)
    digital_minutes = models.PositiveBigIntegerField(default=0)
    transferred_requests = models.PositiveIntegerField(default=0)
    transferred_minutes = models.PositiveBigIntegerField(default=0)
    referred_transferred_requests = models.PositiveIntegerField(default=0)
    referred_transferred_minutes = models.PositiveBigIntegerField(default=0)
    do_for_requests = models.PositiveIntegerField(default=0)
    non_take_up = models.PositiveIntegerField(default=0)
    postponed_technical = models.PositiveIntegerField(default=0)
    once_only_violations = models.PositiveIntegerField(default=0)
    without_consent_do_for = models.PositiveIntegerField(default=0)
    sensitive_handling = models.PositiveIntegerField(default=0)
    rights_at_risk = models.PositiveIntegerField(default=0)
    rights_lost = models.PositiveIntegerField(default=0)
    rights_delayed_cents = models.PositiveBigIntegerField(default=0)
    rights_lost_cents = models.PositiveBigIntegerField(default=0)
    do_for_without_mandate = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    failed_attempts = models.PositiveIntegerField(default=0)
    owed_attempts = models.PositiveIntegerField(default=0)
    owed_attempt_minutes = models.PositiveBigIntegerField(default=0)

    class Meta:
        abstract = True


class Rollup(RollupCell):
    """The figures of one association, month, dimension and group.

    `group_key` is the code (top-level domain for `procedure_domain`), the institution id for
    the institution dimensions ("" for entries without an institution), or "" for the total.
    `hourly_cost_eur` is the cost in force when the row was computed, so that euro values can
    be derived exactly and summed unrounded across associations.
    """

    # No database-level foreign key: rollups are a cache rewritten in bulk, and a per-row
    # constraint check on every written cell slows a full recomputation. Django cascades.
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="rollups", db_constraint=False
    )
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # The unique index also serves an association's own reads (its table for a
            # dimension over a period).
            models.UniqueConstraint(
                fields=["association", "dimension", "month", "group_key"], name="rollup_cell_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(dimension__in=(TOTAL, *DIMENSIONS)),
                name="rollup_dimension_valid",
            ),
        ]
        indexes = [
            # A federation's table reads one dimension over a period for hundreds of members:
            # the unique index, led by the association, would take one descent per member.
            # A recomputation writes only changed cells, so this second index costs it little.
            models.Index(
                fields=["dimension", "month", "association"], name="rollup_federation_read"
            ),
        ]

    def __str__(self):
        return f"{self.association_id} {self.month} {self.dimension}={self.group_key}"


class Job(models.Model):
    """Long work (recomputation, export, import) that a user follows with a progress bar."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    class Kind(models.TextChoices):
        RECOMPUTE = "recompute", _("full recomputation")
        EXPORT = "export", _("export")
        IMPORT = "import", _("import")

    association = models.ForeignKey(
        Association, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="job_progress_0_to_100"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "running", "succeeded", "failed"]),
                name="job_state_valid",
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} {self.state} {self.progress}%"
