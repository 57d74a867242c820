"""The assistance-request log: the truth every figure is computed from (METRICS.md).

Persons are pseudonymous records: a code chosen by the association, a birth year, a postcode
and a language. Nothing here may hold a national register number, a password or a PIN.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Association
from referrals.models import Institution
from taxonomy import get_taxonomy

from .entry_fields import (
    MAX_DURATION,
    MAX_EXTRA_COST_EUR,
    MAX_ONCE_ONLY_DOCUMENT,
    MAX_RIGHT_MONTHLY_EUR,
    MAX_RIGHT_MONTHS,
    MIN_DURATION,
)

TAXONOMY = get_taxonomy()
KIND_CODES = TAXONOMY.codes("referrer_types")
PROCEDURE_CODES = TAXONOMY.codes("procedure_domains")
PROCEDURE_ROOTS = tuple(c.code for c in TAXONOMY.sections["procedure_domains"] if not c.parent)
BARRIER_CODES = TAXONOMY.codes("digital_barriers")
MODE_CODES = TAXONOMY.codes("assistance_modes")
OUTCOME_CODES = TAXONOMY.codes("outcomes")
CONSENT_CODES = TAXONOMY.codes("consent_types")
CHANNEL_CODES = TAXONOMY.codes("channels")
FLAG_CODES = TAXONOMY.codes("sensitive_data_flags")
RIGHTS_IMPACT_CODES = TAXONOMY.codes("rights_impacts")
NON_TAKE_UP_TYPE_CODES = TAXONOMY.codes("non_take_up_types")
LANGUAGE_CODES = ("fr", "nl", "en", "de", "ar", "tr", "es", "pt", "ro", "pl", "other")


class AssociationScopedQuerySet(models.QuerySet):
    """Every read of association data starts here: `Model.objects.for_association(a)`."""

    def for_association(self, association):
        return self.filter(association=association)


class Person(models.Model):
    """A pseudonymous person helped by the association."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="persons")
    code = models.CharField(
        _("code"),
        max_length=30,
        help_text=_(
            "A pseudonym chosen by the association, never a name or a national register number."
        ),
    )
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    language = models.CharField(_("language"), max_length=5, default="fr")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssociationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "code"],
                name="person_code_unique",
                violation_error_message=_("This code is already used."),
            ),
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True)
                | models.Q(birth_year__gte=1900, birth_year__lte=2100),
                name="person_birth_year_plausible",
                violation_error_message=_("The birth year must be between 1900 and 2100."),
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=LANGUAGE_CODES), name="person_language_valid"
            ),
        ]

    def __str__(self):
        return self.code


class AssistanceRequest(models.Model):
    """One administrative-assistance request: one line of the log.

    `referrer_kind` and `responsible_kind` are the effective kinds: when an institution is
    given, its kind is stored. `month` ("YYYY-MM" of `occurred_on`) and the `has_*` flags are
    derived by the service on every write, so that rollups group on stored columns.
    """

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="assistance_requests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="assistance_requests"
    )
    occurred_on = models.DateField(_("date"))
    month = models.CharField(max_length=7, editable=False)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(MIN_DURATION), MaxValueValidator(MAX_DURATION)],
    )
    channel = models.CharField(_("channel"), max_length=20)
    procedure_domain = models.CharField(_("procedure"), max_length=40)
    procedure_root = models.CharField(max_length=30, editable=False)
    referrer_kind = models.CharField(_("referred by (kind)"), max_length=30)
    referred_by = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred by"),
    )
    responsible_kind = models.CharField(_("responsible body (kind)"), max_length=30)
    responsible_institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible body"),
    )
    once_only_document = models.CharField(
        _("document asked for again"), max_length=MAX_ONCE_ONLY_DOCUMENT, blank=True, default=""
    )
    once_only_holder = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("body that already holds it"),
    )
    mode = models.CharField(_("assistance mode"), max_length=20)
    next_appointment = models.DateField(_("next appointment"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=30)
    consent = models.CharField(_("consent"), max_length=20)
    notes = models.TextField(_("notes"), blank=True, default="")
    # The rights ledger (METRICS.md): what the situation cost the person. Each field may be
    # left empty in a form: the service stores its default.
    rights_impact = models.CharField(
        _("impact on rights"), max_length=20, blank=True, default="none"
    )
    # Null, as the contract has it, is "no kind given", which no code means.
    non_take_up_type = models.CharField(  # noqa: DJ001
        _("kind of non-take-up"), max_length=20, null=True, blank=True, default=None
    )
    right_months = models.PositiveSmallIntegerField(
        _("months delayed or lost"), blank=True, default=0
    )
    right_monthly_eur = models.DecimalField(
        _("monthly amount (€)"), max_digits=7, decimal_places=2, blank=True, default=0
    )
    extra_cost_eur = models.DecimalField(
        _("fees, fines or interest (€)"), max_digits=8, decimal_places=2, blank=True, default=0
    )
    has_barrier = models.BooleanField(default=False, editable=False)
    has_once_only = models.BooleanField(default=False, editable=False)
    has_sensitive_flag = models.BooleanField(default=False, editable=False)
    # The person's mandate a do_for entry was done under (METRICS.md do_for_without_mandate),
    # derived like the `has_*` flags: set by the services on every write and again for the
    # person's entries whenever their mandates change (the mandates app, through a hook), so
    # the figures group on a stored column. Named by label: the mandates app lives above.
    mandate = models.ForeignKey(
        "mandates.Mandate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssociationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assistance request")
        verbose_name_plural = _("assistance requests")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    duration_minutes__gte=MIN_DURATION, duration_minutes__lte=MAX_DURATION
                ),
                name="request_duration_1_to_1440",
                violation_error_message=_("The duration must be between 1 and 1440 minutes."),
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=CHANNEL_CODES), name="request_channel_in_taxonomy"
            ),
            models.CheckConstraint(
                condition=models.Q(procedure_domain__in=PROCEDURE_CODES),
                name="request_procedure_in_taxonomy",
            ),
            models.CheckConstraint(
                condition=models.Q(procedure_root__in=PROCEDURE_ROOTS),
                name="request_procedure_root_in_taxonomy",
            ),
            models.CheckConstraint(
                condition=models.Q(referrer_kind__in=KIND_CODES),
                name="request_referrer_kind_in_taxonomy",
            ),
            models.CheckConstraint(
                condition=models.Q(responsible_kind__in=KIND_CODES),
                name="request_responsible_kind_in_taxonomy",
            ),
            models.CheckConstraint(
                condition=models.Q(mode__in=MODE_CODES), name="request_mode_in_taxonomy"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=OUTCOME_CODES), name="request_outcome_in_taxonomy"
            ),
            models.CheckConstraint(
                condition=models.Q(consent__in=CONSENT_CODES), name="request_consent_in_taxonomy"
            ),
            models.CheckConstraint(
                condition=models.Q(month__regex=r"^[0-9]{4}-[0-9]{2}$"), name="request_month_format"
            ),
            models.CheckConstraint(
                condition=models.Q(rights_impact__in=RIGHTS_IMPACT_CODES),
                name="request_rights_impact_in_taxonomy",
            ),
            models.CheckConstraint(
                condition=models.Q(non_take_up_type__isnull=True)
                | models.Q(non_take_up_type__in=NON_TAKE_UP_TYPE_CODES),
                name="request_non_take_up_type_in_taxonomy",
            ),
            models.CheckConstraint(
                condition=models.Q(right_months__lte=MAX_RIGHT_MONTHS),
                name="request_right_months_0_to_120",
            ),
            models.CheckConstraint(
                condition=models.Q(right_monthly_eur__gte=0)
                & models.Q(right_monthly_eur__lte=MAX_RIGHT_MONTHLY_EUR),
                name="request_right_monthly_eur_range",
            ),
            models.CheckConstraint(
                condition=models.Q(extra_cost_eur__gte=0)
                & models.Q(extra_cost_eur__lte=MAX_EXTRA_COST_EUR),
                name="request_extra_cost_eur_range",
            ),
        ]
        indexes = [
            models.Index(fields=["association", "month"], name="request_assoc_month"),
            models.Index(fields=["association", "occurred_on"], name="request_assoc_day"),
        ]

    def __str__(self):
        return f"{self.occurred_on} {self.procedure_domain} ({self.duration_minutes} min)"

    @property
    def barrier_codes(self) -> list[str]:
        return sorted(b.code for b in self.barriers.all())

    @property
    def sensitive_flag_codes(self) -> list[str]:
        return sorted(f.code for f in self.sensitive_flags.all())


class RequestBarrier(models.Model):
    """One digital barrier of a request: a row each, so figures can group by barrier."""

    assistance_request = models.ForeignKey(
        AssistanceRequest, on_delete=models.CASCADE, related_name="barriers"
    )
    code = models.CharField(max_length=30)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assistance_request", "code"], name="request_barrier_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(code__in=BARRIER_CODES), name="request_barrier_in_taxonomy"
            ),
        ]

    def __str__(self):
        return self.code


class RequestSensitiveFlag(models.Model):
    """What sensitive thing the worker handled (never the secret itself)."""

    assistance_request = models.ForeignKey(
        AssistanceRequest, on_delete=models.CASCADE, related_name="sensitive_flags"
    )
    code = models.CharField(max_length=30)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assistance_request", "code"], name="request_flag_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(code__in=FLAG_CODES), name="request_flag_in_taxonomy"
            ),
        ]

    def __str__(self):
        return self.code


class IncidentSheet(models.Model):
    """A fiche incident: a short anonymised narrative of a situation that must be told."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="incident_sheets"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    narrative = models.TextField(_("narrative"))
    procedure_domain = models.CharField(_("procedure"), max_length=40, blank=True, default="")
    responsible_kind = models.CharField(
        _("responsible body (kind)"), max_length=30, blank=True, default=""
    )
    responsible_institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    barriers = models.JSONField(_("barriers"), default=list, blank=True)
    entries = models.ManyToManyField(AssistanceRequest, blank=True, related_name="incidents")
    shared = models.BooleanField(_("shared with the federation"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssociationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident sheet")
        verbose_name_plural = _("incident sheets")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(procedure_domain="")
                | models.Q(procedure_domain__in=PROCEDURE_CODES),
                name="incident_procedure_in_taxonomy",
            ),
            models.CheckConstraint(
                condition=models.Q(responsible_kind="") | models.Q(responsible_kind__in=KIND_CODES),
                name="incident_responsible_kind_in_taxonomy",
            ),
        ]

    def __str__(self):
        return self.title


class EntryUndo(models.Model):
    """A deleted entry, kept a few seconds so that "Undo" can log it again.

    It lives here rather than in the worker's session: the session row would outlive the
    seconds (and a person's erasure) with the entry's notes in it. The session holds only
    this row's id; the row is deleted when undone, when the person is erased, and once
    expired (`cases.services.entry_undos_expire`, on each delete and every few minutes).
    """

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"undo {self.pk} of {self.association_id}"


class ImportedFile(models.Model):
    """A log file an association imported, known by the SHA-256 of its bytes: the same file
    brought twice is refused instead of doubling the entries (`cases.imports`) or the contact
    attempts (`attempts.imports`)."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="imported_files"
    )
    content_sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=200, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    entries_imported = models.PositiveIntegerField(default=0)
    # A file of the contact-attempt diary (`attempts.imports`) counts its attempts here.
    attempts_imported = models.PositiveIntegerField(default=0)
    rows_already_there = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["association", "content_sha256"], name="imported_file_once_per_association"
            )
        ]

    def __str__(self):
        return f"{self.association_id} {self.content_sha256[:12]} {self.imported_at:%Y-%m-%d}"
