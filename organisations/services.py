"""Set-up writes: federations, associations, members. Each is idempotent on its slug or email.

Errors are ValidationErrors naming the field, so that the management commands print one line
and the admin or an API shows them next to the field.
"""

from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from audit import services as audit
from taxonomy import get_taxonomy

from .letterhead import letterhead_clean
from .models import (
    ASSOCIATION_ROLES,
    FEDERATION_ROLES,
    Association,
    Federation,
    FederationMembership,
    Membership,
    Organisation,
    ReferenceAmount,
    Role,
    User,
)
from .reference_amounts import DEFAULT_REFERENCE_AMOUNTS, REFERENCE_FIELDS, reference_amount_clean
from .signals import hourly_cost_changed

# Lower-case letters, digits and hyphens, starting with a letter or a digit (the slug is typed
# on the command line: `--slug -x` would read as an option).
validate_organisation_slug = RegexValidator(r"^[a-z0-9][a-z0-9-]*\Z")


def _clean_slug_and_name(slug, name):
    errors = {}
    try:
        validate_organisation_slug(slug or "")
        if len(slug) > 60:
            raise ValidationError("too long")
    except ValidationError:
        errors["slug"] = [_("Use lower-case letters, digits and hyphens (60 at most).")]
    if not (name or "").strip():
        errors["name"] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    return slug, name.strip()


def _organisation_of_other_kind(slug, kind):
    return Organisation.objects.filter(slug=slug).exclude(kind=kind).exists()


@transaction.atomic
def federation_create_or_update(*, slug: str, name: str) -> tuple[Federation, bool]:
    slug, name = _clean_slug_and_name(slug, name)
    if _organisation_of_other_kind(slug, Organisation.Kind.FEDERATION):
        raise ValidationError({"slug": [_("This slug already names an association.")]})
    federation, created = Federation.objects.update_or_create(slug=slug, defaults={"name": name})
    return federation, created


@transaction.atomic
def association_create_or_update(
    *,
    slug: str,
    name: str,
    federation_slug: str | None = None,
    hourly_cost_eur: Decimal | None = None,
) -> tuple[Association, bool]:
    """Create or rename an association; with a federation, join it and share with it."""
    slug, name = _clean_slug_and_name(slug, name)
    if _organisation_of_other_kind(slug, Organisation.Kind.ASSOCIATION):
        raise ValidationError({"slug": [_("This slug already names a federation.")]})
    federation = None
    if federation_slug:
        federation = Federation.objects.filter(slug=federation_slug).first()
        if federation is None:
            raise ValidationError(
                {
                    "federation": [
                        _("No federation has the slug “%(slug)s”.") % {"slug": federation_slug}
                    ]
                }
            )
    defaults = {"name": name}
    if hourly_cost_eur is not None:
        defaults["hourly_cost_eur"] = hourly_cost_eur
    association, created = Association.objects.update_or_create(slug=slug, defaults=defaults)
    if federation is not None:
        FederationMembership.objects.update_or_create(
            association=association,
            federation=federation,
            defaults={"shares_aggregates": True},
        )
    return association, created


@transaction.atomic
def membership_role_error(organisation: Organisation, role: str) -> str | None:
    """Why a role does not suit an organisation (workers and directors in associations,
    analysts in federations), or None when it does."""
    if organisation.kind == Organisation.Kind.FEDERATION:
        return None if role in FEDERATION_ROLES else _("A federation's members are analysts.")
    if role in ASSOCIATION_ROLES:
        return None
    return _("An association's members are workers or directors.")


def member_create_or_update(
    *, org_slug: str, email: str, role: str, password: str, actor=None
) -> tuple[Membership, bool]:
    """Give EMAIL the ROLE in the organisation; run again, it updates the role and password."""
    errors = {}
    organisation = Organisation.objects.filter(slug=org_slug or "").first()
    if organisation is None:
        errors["org"] = [
            _("No association or federation has the slug “%(slug)s”.") % {"slug": org_slug}
        ]
    try:
        validate_email(email or "")
    except ValidationError:
        errors["email"] = [_("Enter a valid email address.")]
    if role not in Role.values:
        errors["role"] = [_("The role must be one of: worker, director, analyst.")]
    elif organisation is not None and membership_role_error(organisation, role):
        errors["role"] = [membership_role_error(organisation, role)]
    if not password:
        errors["password"] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    try:
        validate_password(password, user=user or User(email=email))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    if user is None:
        user = User.objects.create_user(email=email, password=password)
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    previous_role = (
        Membership.objects.filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )
    membership, created = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if created:
        audit.membership_created(membership=membership, actor=actor)
    else:
        changed = ["password"] + (["role"] if previous_role != role else [])
        audit.membership_changed(membership=membership, fields=changed, actor=actor)
    return membership, created


@transaction.atomic
def association_set_sharing(
    *, association: Association, federation: Federation, shares: bool, actor=None
) -> FederationMembership:
    membership = FederationMembership.objects.get(association=association, federation=federation)
    membership.shares_aggregates = shares
    membership.save(update_fields=["shares_aggregates"])
    audit.association_settings_changed(
        association=association,
        fields=[f"sharing:{federation.slug}:{'on' if shares else 'off'}"],
        actor=actor,
    )
    return membership


@transaction.atomic
def association_update_settings(
    *,
    association: Association,
    actor=None,
    hourly_cost_eur: Decimal | None = None,
    retention_years: int | None = None,
    require_two_factor: bool | None = None,
    name_shown_on_shared_sheets: bool | None = None,
) -> Association:
    """Change an association's settings; a new hourly cost revalues all its figures."""
    errors = {}
    if hourly_cost_eur is not None:
        try:
            hourly_cost_eur = Decimal(str(hourly_cost_eur)).quantize(Decimal("0.01"))
            if not hourly_cost_eur.is_finite():
                raise ArithmeticError("NaN is no amount")  # "NaN" passes quantize()
        except ArithmeticError:
            hourly_cost_eur = None
            errors["hourly_cost_eur"] = [_("Enter an amount in euros.")]
        else:
            if not Decimal("0") < hourly_cost_eur < Decimal("10000"):
                errors["hourly_cost_eur"] = [_("The hourly cost must be above 0 and below 10000.")]
    if retention_years is not None and (
        isinstance(retention_years, bool)
        or not isinstance(retention_years, int)
        or not 1 <= retention_years <= 50
    ):
        errors["retention_years"] = [_("Enter a number of years between 1 and 50.")]
    if errors:
        raise ValidationError(errors)
    cost_changed = hourly_cost_eur is not None and hourly_cost_eur != association.hourly_cost_eur
    changed = (["hourly_cost_eur"] if cost_changed else []) + (
        ["retention_years"]
        if retention_years is not None and retention_years != association.retention_years
        else []
    )
    if (
        require_two_factor is not None
        and bool(require_two_factor) != association.require_two_factor
    ):
        changed.append("require_two_factor")
        association.require_two_factor = bool(require_two_factor)
    if (
        name_shown_on_shared_sheets is not None
        and bool(name_shown_on_shared_sheets) != association.name_shown_on_shared_sheets
    ):
        changed.append("name_shown_on_shared_sheets")
        association.name_shown_on_shared_sheets = bool(name_shown_on_shared_sheets)
    if hourly_cost_eur is not None:
        association.hourly_cost_eur = hourly_cost_eur
    if retention_years is not None:
        association.retention_years = retention_years
    association.save()
    if changed:
        audit.association_settings_changed(association=association, fields=changed, actor=actor)
    if cost_changed:
        hourly_cost_changed.send(sender=Association, association=association, actor=actor)
    return association


@transaction.atomic
def association_update_letterhead(
    *, association: Association, actor=None, values: dict
) -> Association:
    """Change the letterhead its letters and receipts print (address, phone, e-mail, contact,
    enterprise number, who signs); every field is checked before any is written."""
    cleaned = letterhead_clean(values)
    changed = [name for name, value in cleaned.items() if getattr(association, name) != value]
    for name in changed:
        setattr(association, name, cleaned[name])
    if changed:
        association.save(update_fields=changed)
        audit.association_settings_changed(association=association, fields=changed, actor=actor)


def association_set_shown_barriers(*, association: Association, codes, actor=None) -> Association:
    """Choose the digital barriers the entry form shows before its "other barriers" fold.

    Stored in the taxonomy's order: the chips keep one fixed order, the same for every worker
    of the association, whatever was ticked in which order."""
    known = get_taxonomy().codes("digital_barriers")
    if not isinstance(codes, list | tuple | set | frozenset) or not all(
        isinstance(c, str) for c in codes
    ):
        raise ValidationError({"shown_barriers": [_("Expected a list of codes.")]})
    chosen = set(codes)
    unknown = sorted(chosen - set(known))
    if unknown:
        raise ValidationError(
            {"shown_barriers": [_("Unknown codes: %(codes)s.") % {"codes": ", ".join(unknown)}]}
        )
    ordered = [code for code in known if code in chosen]
    if ordered != association.shown_barriers:
        association.shown_barriers = ordered
        association.save(update_fields=["shown_barriers"])
        audit.association_settings_changed(
            association=association, fields=["shown_barriers"], actor=actor
        )
    return association


# --- the reference amounts of the rights ledger (organisations.reference_amounts) ------------


def reference_amounts_seed(*, association: Association) -> int:
    """Give an association that has no reference amounts the default table; return how many
    rows were added (none when it already has some: its director's table is theirs)."""
    if ReferenceAmount.objects.for_association(association).exists():
        return 0
    rows = [
        ReferenceAmount(
            association=association,
            procedure_domain=d.procedure_domain,
            situation=d.situation,
            monthly_eur=d.monthly_eur,
            source_name=d.source_name,
            source_url=d.source_url,
            valid_from=d.valid_from,
        )
        for d in DEFAULT_REFERENCE_AMOUNTS
    ]
    ReferenceAmount.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def reference_amount_create(*, association: Association, values: dict, actor=None):
    """Add a row to the association's table; every field is checked before anything is
    written (a ValidationError names each bad field)."""
    data = reference_amount_clean(values)
    amount = ReferenceAmount.objects.create(association=association, **data)
    audit.association_settings_changed(
        association=association, fields=["reference_amounts"], actor=actor
    )
    return amount


@transaction.atomic
def reference_amount_update(*, amount: ReferenceAmount, values: dict, actor=None):
    data = reference_amount_clean(values)
    changed = [name for name in REFERENCE_FIELDS if getattr(amount, name) != data[name]]
    if changed:
        for name in changed:
            setattr(amount, name, data[name])
        amount.save()
        audit.association_settings_changed(
            association=amount.association, fields=["reference_amounts"], actor=actor
        )
    return amount


@transaction.atomic
def reference_amount_delete(*, amount: ReferenceAmount, actor=None) -> None:
    association = amount.association
    amount.delete()
    audit.association_settings_changed(
        association=association, fields=["reference_amounts"], actor=actor
    )
