"""The monthly reference amounts of the benefits that procedures open, per association.

The entry form proposes them for the rights ledger (`right_monthly_eur`) when the worker has not
typed an amount: shown with their source and the day they are valid from, saved only when the
worker chooses one. Each association keeps its own table, which its director edits; a new
association starts from DEFAULT_REFERENCE_AMOUNTS.

The defaults are official Belgian figures with their source and date. They change with each
indexation: the director checks them (docs/reference-amounts.md).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from taxonomy import get_taxonomy

from .models import MAX_REFERENCE_MONTHLY_EUR, ReferenceAmount

REFERENCE_FIELDS = (
    "procedure_domain",
    "situation",
    "monthly_eur",
    "source_name",
    "source_url",
    "valid_from",
)
MAX_LENGTHS = {
    name: ReferenceAmount._meta.get_field(name).max_length
    for name in ("procedure_domain", "situation", "source_name", "source_url")
}
EARLIEST_VALID_FROM = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class DefaultAmount:
    procedure_domain: str
    situation: str
    monthly_eur: Decimal
    source_name: str
    source_url: str
    valid_from: dt.date


_RIS_SOURCE = (
    "SPP Intégration sociale / POD Maatschappelijke Integratie — montants du revenu "
    "d'intégration (indexés au 01/02/2025)"
)
_RIS_URL = (
    "https://primabook.mi-is.be/fr/droit-lintegration-sociale/"
    "les-ayants-droits-et-le-montant-du-revenu-dintegration"
)
_GRAPA_SOURCE = (
    "Service fédéral des Pensions / Federale Pensioendienst — GRAPA/IGO (montants à l'indice "
    "144,42)"
)
_GRAPA_URL = "https://www.sfpd.fgov.be/fr/droit-a-la-pension/grapa"

# Labels in French and Dutch: the table is the association's, in whatever language its
# director writes; these are the first rows.
DEFAULT_REFERENCE_AMOUNTS = (
    DefaultAmount(
        "ris.application",
        "Cohabitant·e / Samenwonende",
        Decimal("876.13"),
        _RIS_SOURCE,
        _RIS_URL,
        dt.date(2025, 2, 1),
    ),
    DefaultAmount(
        "ris.application",
        "Isolé·e / Alleenstaande",
        Decimal("1314.20"),
        _RIS_SOURCE,
        _RIS_URL,
        dt.date(2025, 2, 1),
    ),
    DefaultAmount(
        "ris.application",
        "Famille à charge / Gezin ten laste",
        Decimal("1776.07"),
        _RIS_SOURCE,
        _RIS_URL,
        dt.date(2025, 2, 1),
    ),
    DefaultAmount(
        "pension.grapa",
        "Montant de base (cohabitant·e) / Basisbedrag (samenwonende)",
        Decimal("747.81"),
        _GRAPA_SOURCE,
        _GRAPA_URL,
        dt.date(2019, 7, 1),
    ),
    DefaultAmount(
        "pension.grapa",
        "Montant majoré (isolé·e) / Verhoogd bedrag (alleenstaande)",
        Decimal("1121.72"),
        _GRAPA_SOURCE,
        _GRAPA_URL,
        dt.date(2019, 7, 1),
    ),
)


def parse_euros(text) -> Decimal | None:
    """An amount typed as Belgian offices write it: "1 314,20", "1.314,20", "1314,20 €", or
    with a decimal point ("1314.20"). None when the text is no amount."""
    if isinstance(text, Decimal):
        return text
    if not isinstance(text, str):
        return None
    cleaned = text.replace("€", "").replace("\xa0", "").replace("\u202f", "").replace(" ", "")
    if "," in cleaned:
        # A comma is the decimal mark: the dots before it group thousands.
        cleaned = cleaned.replace(".", "").replace(",", ".")
    if not cleaned or len(cleaned) > 20:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _parse_date(value) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or len(value) > 20:
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    # As a Belgian writes it: day/month/year (or with dashes or dots).
    parts = text.replace("-", "/").replace(".", "/").split("/")
    if len(parts) == 3 and all(p.isascii() and p.isdigit() for p in parts):
        try:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            return None
    return None


def reference_amount_clean(values: dict) -> dict:
    """Check one row of the table as the director typed it (text or values); raise a
    ValidationError naming each bad field, in the active language, or return the values."""
    errors = {}
    data = {name: values.get(name) for name in REFERENCE_FIELDS}
    for name in ("procedure_domain", "situation", "source_name", "source_url"):
        value = data[name]
        data[name] = value.strip() if isinstance(value, str) else ""
        if any(ord(c) < 32 for c in data[name]):
            # A control character (a NUL above all) cannot be stored, nor printed.
            errors[name] = [_("The text holds a character that cannot be stored.")]
        elif len(data[name]) > MAX_LENGTHS[name]:
            errors[name] = [
                _("The text is too long (%(max)d characters at most).") % {"max": MAX_LENGTHS[name]}
            ]
    if not data["procedure_domain"]:
        errors["procedure_domain"] = [_("Choose the procedure.")]
    elif data["procedure_domain"] not in get_taxonomy().codes("procedure_domains"):
        errors["procedure_domain"] = [
            _("“%(value)s” is not a known code.") % {"value": data["procedure_domain"]}
        ]
    amount = parse_euros(data["monthly_eur"])
    if data["monthly_eur"] in (None, ""):
        errors["monthly_eur"] = [_("Give the monthly amount in euros.")]
    elif amount is None or -amount.as_tuple().exponent > 2:
        errors["monthly_eur"] = [
            _("Enter an amount in euros, with at most two decimals (like 1 314,20).")
        ]
    elif not Decimal("0") < amount <= MAX_REFERENCE_MONTHLY_EUR:
        errors["monthly_eur"] = [
            _("The monthly amount must be above 0 and at most 10 000 €."),
        ]
    else:
        data["monthly_eur"] = amount.quantize(Decimal("0.01"))
    if not data["source_name"] and "source_name" not in errors:
        errors["source_name"] = [_("Name the source of the amount (the body that sets it).")]
    if data["source_url"] and "source_url" not in errors:
        try:
            URLValidator(schemes=("http", "https"))(data["source_url"])
        except ValidationError:
            errors["source_url"] = [_("Enter the address of the source, starting with https://.")]
    day = _parse_date(data["valid_from"])
    if data["valid_from"] in (None, ""):
        errors["valid_from"] = [_("Give the date the amount is valid from.")]
    elif day is None:
        errors["valid_from"] = [_("Enter a valid date, as day/month/year.")]
    elif day < EARLIEST_VALID_FROM or day.year > 2100:
        errors["valid_from"] = [_("The date is out of range.")]
    else:
        data["valid_from"] = day
    if errors:
        raise ValidationError(errors)
    return data
