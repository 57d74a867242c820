"""Federations, associations and the people who work in them.

An organisation is either an association (where workers and directors log and report) or a
federation (where analysts aggregate). Both share one table of slugs, so that a slug names
exactly one organisation (`create_member --org SLUG`).
"""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .letterhead import validate_enterprise_number, validate_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in, by email. What they may see comes from their memberships."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("language"),
        max_length=2,
        choices=[("fr", "Français"), ("nl", "Nederlands"), ("en", "English")],
        default="fr",
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message=_("This email is already in use."),
            ),
        ]

    def __str__(self):
        return self.email


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("association")
        FEDERATION = "federation", _("federation")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["association", "federation"]),
                name="organisation_kind_valid",
            ),
        ]

    def __str__(self):
        return self.name


class Federation(Organisation):
    # Disclosure control: a published cell counting fewer entries than k is suppressed.
    disclosure_k = models.PositiveSmallIntegerField(
        _("minimum entries per published cell (k)"),
        default=5,
        validators=[MinValueValidator(3)],
    )

    class Meta:
        verbose_name = _("federation")
        verbose_name_plural = _("federations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(disclosure_k__gte=3),
                name="federation_k_at_least_3",
                violation_error_message=_("k can never be below 3."),
            ),
        ]

    def save(self, *args, **kwargs):
        self.kind = Organisation.Kind.FEDERATION
        super().save(*args, **kwargs)


# The digital barriers an association's entry form shows as chips before the "other barriers"
# fold, until its director chooses: the ones met at almost every counter.
DEFAULT_SHOWN_BARRIERS = (
    "no_device",
    "smartphone_only",
    "no_internet",
    "email_lost",
    "itsme",
    "eid_pin",
    "card_reader",
    "online_only",
    "phone_saturated",
    "low_digital_skills",
)


def default_shown_barriers() -> list[str]:
    return list(DEFAULT_SHOWN_BARRIERS)


class Association(Organisation):
    hourly_cost_eur = models.DecimalField(
        _("hourly cost (EUR)"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("40.00"),
        help_text=_(
            "Full employer cost of one hour of a social worker, used to value transferred work."
        ),
    )
    region = models.CharField(_("region"), max_length=10, blank=True, default="bxl")
    # Where the association works: the bodies of its own commune come first in the registry.
    postcode = models.CharField(
        _("postcode"),
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^\d{4}$", _("Enter a Belgian postcode of four digits."))],
    )
    # The letterhead (organisations.letterhead): what its letters and receipts print.
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=150, blank=True)
    enterprise_number = models.CharField(
        _("enterprise number (BCE/KBO)"),
        max_length=20,
        blank=True,
        validators=[validate_enterprise_number],
        help_text=_("Ten digits, like 0403.019.261."),
    )
    signatory_name = models.CharField(
        _("who signs the letters"),
        max_length=150,
        blank=True,
        help_text=_("The director's name, printed under the signature of the statements."),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("retention of persons without entries (years)"), default=5
    )
    require_two_factor = models.BooleanField(
        _("directors must use two-factor authentication"), default=False
    )
    # A shared incident sheet reaches the federation's analysts without the association's
    # name unless its director chooses to sign it: a sheet names an institution, and the
    # association next to it could tell who the person was in a small commune.
    name_shown_on_shared_sheets = models.BooleanField(
        _("show the association's name on its shared incident sheets"), default=False
    )
    # Codes of the taxonomy's digital barriers; the form shows them in the taxonomy's order,
    # whatever the order stored, so that a chip never moves under the worker's hand.
    shown_barriers = models.JSONField(
        _("barriers shown on the entry form"), default=default_shown_barriers, blank=True
    )
    federations = models.ManyToManyField(
        Federation, through="FederationMembership", related_name="associations", blank=True
    )

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hourly_cost_eur__gt=0) & models.Q(hourly_cost_eur__lt=10000),
                name="association_hourly_cost_positive",
                violation_error_message=_("The hourly cost must be above 0 and below 10000."),
            ),
            models.CheckConstraint(
                condition=models.Q(retention_years__gte=1),
                name="association_retention_at_least_one_year",
            ),
        ]

    def save(self, *args, **kwargs):
        self.kind = Organisation.Kind.ASSOCIATION
        super().save(*args, **kwargs)


class FederationMembership(models.Model):
    """An association belongs to a federation and chooses whether it shares its aggregates."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="federation_memberships"
    )
    federation = models.ForeignKey(
        Federation, on_delete=models.CASCADE, related_name="association_memberships"
    )
    shares_aggregates = models.BooleanField(_("shares its aggregates"), default=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("federation membership")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "federation"], name="federation_membership_unique"
            ),
        ]

    def __str__(self):
        return f"{self.association} ∈ {self.federation}"


class Role(models.TextChoices):
    WORKER = "worker", _("social worker")
    DIRECTOR = "director", _("director")
    ANALYST = "analyst", _("analyst")


ASSOCIATION_ROLES = (Role.WORKER, Role.DIRECTOR)
FEDERATION_ROLES = (Role.ANALYST,)


class Membership(models.Model):
    """A user's role in one organisation: worker or director of an association, analyst of a
    federation. A user has at most one membership per organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]),
                name="membership_role_valid",
                violation_error_message=_("Unknown role."),
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.role} @ {self.organisation}"


class ReferenceAmountQuerySet(models.QuerySet):
    """Every read of an association's reference amounts starts here."""

    def for_association(self, association):
        return self.filter(association=association)


MAX_REFERENCE_MONTHLY_EUR = Decimal("10000.00")  # the entry's monthly amount's own limit


class ReferenceAmount(models.Model):
    """The monthly amount of a benefit that a procedure opens, as the association's director
    keeps it (organisations.reference_amounts): the entry form proposes it for the rights
    ledger, with its source and the day it is valid from, and never saves it unless chosen."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="reference_amounts"
    )
    procedure_domain = models.CharField(_("procedure"), max_length=60)
    # Which case of the benefit it is ("single person", "cohabitant"): one procedure may have
    # several amounts.
    situation = models.CharField(_("situation"), max_length=120, blank=True)
    monthly_eur = models.DecimalField(_("monthly amount (€)"), max_digits=7, decimal_places=2)
    source_name = models.CharField(_("source"), max_length=200)
    source_url = models.URLField(_("address of the source"), max_length=500, blank=True)
    valid_from = models.DateField(_("valid from"))
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferenceAmountQuerySet.as_manager()

    class Meta:
        verbose_name = _("reference amount")
        verbose_name_plural = _("reference amounts")
        ordering = ("procedure_domain", "situation", "-valid_from", "id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_eur__gt=0)
                & models.Q(monthly_eur__lte=MAX_REFERENCE_MONTHLY_EUR),
                name="reference_amount_monthly_eur_range",
            ),
        ]

    def __str__(self):
        return f"{self.procedure_domain} {self.situation}: {self.monthly_eur}"
