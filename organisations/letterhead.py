"""The association's letterhead: the postal address, phone, e-mail, contact person and
enterprise number that its letters (subcontracting statements) and receipts print.

The checks live here so that the model's fields (and so the admin), the settings page and the
services refuse the same values with the same words.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum.be import vat
from stdnum.exceptions import ValidationError as NumberError

# The letterhead fields of organisations.Association, in the order a letter prints them.
LETTERHEAD_FIELDS = (
    "street",
    "postcode",
    "city",
    "phone",
    "email",
    "contact_person",
    "enterprise_number",
    "signatory_name",
)

_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ./()\-]+$")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 8, 15


def validate_phone(value: str) -> None:
    """A phone as people write it in Belgium: "02 218 33 40", "+32 470 12 34 56"."""
    digits = re.sub(r"\D", "", value or "")
    if not _PHONE_CHARACTERS.match(value or "") or not (
        MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS
    ):
        raise ValidationError(
            _("Enter a phone number of 8 to 15 digits (spaces, +, /, . and - are allowed)."),
            code="invalid",
        )


def enterprise_number_compact(value: str) -> str:
    """The ten digits of a BCE/KBO number typed as "0403.019.261", "BE 0403 019 261" or
    "403019261"; a ValidationError when its check digits are wrong."""
    try:
        # A number far too long to be one is refused before python-stdnum turns it into an
        # integer (Python refuses to convert strings of thousands of digits).
        if len(value or "") > 40:
            raise NumberError
        return vat.validate(value or "")
    except NumberError:
        raise ValidationError(
            _(
                "Enter the enterprise number (BCE/KBO) of ten digits, like 0403.019.261: "
                "this one is not a valid number."
            ),
            code="invalid",
        ) from None


def validate_enterprise_number(value: str) -> None:
    enterprise_number_compact(value)


def enterprise_number_display(compact: str) -> str:
    """0403019261 → 0403.019.261, as the Crossroads Bank for Enterprises prints it."""
    if len(compact) != 10:
        return compact
    return f"{compact[:4]}.{compact[4:7]}.{compact[7:]}"


def letterhead_clean(values: dict) -> dict:
    """Trimmed values of the letterhead fields given (an empty text clears a field); a
    ValidationError names every field that is wrong."""
    from .models import Association

    cleaned, errors = {}, {}
    for name, value in values.items():
        if name not in LETTERHEAD_FIELDS:
            continue
        text = value.strip() if isinstance(value, str) else value
        if text is None:
            text = ""
        if not isinstance(text, str) or any(ord(c) < 32 or c == "\x7f" for c in text):
            # A control character (a NUL) is no part of an address, and PostgreSQL refuses it.
            errors[name] = [_("Enter a text.")]
            continue
        limit = Association._meta.get_field(name).max_length
        try:
            # What is wrong with the value says more than its length ("10700" is no postcode).
            text = _checked(name, text) if text else text
            if len(text) > limit:
                raise ValidationError(
                    _("This is too long (%(max)d characters at most).") % {"max": limit}
                )
        except ValidationError as exc:
            errors[name] = exc.messages
            continue
        cleaned[name] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def _checked(name: str, text: str) -> str:
    if name == "postcode":
        if not re.fullmatch(r"\d{4}", text):
            raise ValidationError(_("Enter a Belgian postcode of four digits."))
    elif name == "phone":
        validate_phone(text)
    elif name == "email":
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(_("Enter a valid email address.")) from None
    elif name == "enterprise_number":
        return enterprise_number_compact(text)
    return text
