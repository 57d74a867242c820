"""Writes to the institution registry, shared by every association."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import INSTITUTION_KINDS, Institution


@transaction.atomic
def institution_create(*, name, kind, postcode="", association=None, actor=None) -> Institution:
    """Add a public body or firm to the registry; every association sees it from then on.

    The registry holds no personal data: a body is never `self`, `entourage` or `unknown`.
    """
    errors = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 200:
        errors["name"] = [_("The name is too long (200 characters at most).")]
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
