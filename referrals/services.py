"""Writes to the institution registry, shared by every association."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy import identifiers

from .models import INSTITUTION_KINDS, Institution


@transaction.atomic
def institution_create(*, name, kind, postcode="", association=None, actor=None) -> Institution:
    """Add a public body or firm to the registry, visible to `association` alone until an
    administrator or a federation analyst validates it for everyone.

    The registry holds no personal data: a body is never `self`, `entourage` or `unknown`, and
    a name holding a phone number, an e-mail, a national number or an IBAN is refused.
    """
    errors = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 200:
        errors["name"] = [_("The name is too long (200 characters at most).")]
    elif findings := identifiers.scan(name):
        errors["name"] = [
            _("A body's name may not hold a %(kinds)s: name the body, not a person.")
            % {"kinds": identifiers.kinds_found(findings)}
        ]
    if kind not in INSTITUTION_KINDS:
        errors["kind"] = [_("Unknown kind of institution.")]
    postcode = postcode if postcode is not None else ""
    if not isinstance(postcode, str) or (
        postcode and not (postcode.isdigit() and len(postcode) == 4)
    ):
        errors["postcode"] = [_("Enter a Belgian postcode of four digits.")]
    if not errors and Institution.objects.filter(name__iexact=name, postcode=postcode).exists():
        errors["name"] = [_("This institution already exists.")]
    if errors:
        raise ValidationError(errors)
    try:
        # Two associations adding the same body at once: the unique constraint decides.
        with transaction.atomic():
            return Institution.objects.create(
                name=name, kind=kind, postcode=postcode, added_by=association
            )
    except IntegrityError:
        raise ValidationError({"name": [_("This institution already exists.")]}) from None


@transaction.atomic
def institution_validate(*, institution: Institution, actor=None) -> Institution:
    """Open a body an association added to every association (an administrator's or an
    analyst's decision, once its name is seen to be a body's and not a person's)."""
    if identifiers.scan(institution.name):
        raise ValidationError({"name": [_("This name holds a personal identifier.")]})
    if institution.validated_at is None:
        institution.validated_at = timezone.now()
        institution.save(update_fields=["validated_at"])
    return institution


@transaction.atomic
def institution_retire(*, institution: Institution, actor=None) -> Institution:
    """No one can choose the body any more; the entries that name it keep it."""
    if institution.retired_at is None:
        institution.retired_at = timezone.now()
        institution.save(update_fields=["retired_at"])
    return institution


def institution_mark_merged(*, institution: Institution, into: Institution) -> None:
    """Record a merge (the entries are moved by `cases.services.institution_merge`)."""
    institution.merged_into = into
    institution.save(update_fields=["merged_into"])
