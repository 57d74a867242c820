"""Numbers as people read them, one style per language, for every page, chart and PDF.

Separators come from Django's own locale formats (`django/conf/locale/<lang>/formats.py`),
so they match whatever else Django localises: French groups thousands with a no-break space
and writes a decimal comma, Dutch groups with a dot and writes a decimal comma, English
groups with a comma and writes a decimal point. Django has no currency or percent
patterns, so the two are written here, following the usage of each language (CLDR):
"71 813,33 €", "€ 71.813,33", "€71,813.33"; "62,5 %", "62,5%", "62.5%".

Hours are always hours and minutes, `h:mm` ("1 234:05"): exact, so the rows of a table add
up to its total, which a rounded decimal hour would not. A missing figure is a dash.

CSV and XLSX files keep plain numbers (typed cells): these functions are for reading only.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import numberformat, translation
from django.utils.formats import get_format

MISSING = "—"
NBSP = "\xa0"  # Django's French thousands separator; used before "%" and "€" as well

# (positive, negative) patterns around the formatted absolute value.
EUROS = {
    "fr": ("{n}" + NBSP + "€", "-{n}" + NBSP + "€"),
    "nl": ("€" + NBSP + "{n}", "€" + NBSP + "-{n}"),
    "en": ("€{n}", "-€{n}"),
    # German, an official language of Belgium, for what a receipt prints: "1.314,20 €".
    "de": ("{n}" + NBSP + "€", "-{n}" + NBSP + "€"),
}
PERCENT = {
    "fr": "{n}" + NBSP + "%",
    "nl": "{n}%",
    "en": "{n}%",
    "de": "{n}" + NBSP + "%",
}


def _language(language: str | None) -> str:
    code = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2].lower()
    return code if code in EUROS else settings.LANGUAGE_CODE[:2]


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _format(number: Decimal, places: int, language: str) -> str:
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if not number:
        number = abs(number)  # no "-0,0"
    return numberformat.format(
        number,
        get_format("DECIMAL_SEPARATOR", language),
        decimal_pos=places,
        grouping=get_format("NUMBER_GROUPING", language),
        thousand_sep=get_format("THOUSAND_SEPARATOR", language),
        force_grouping=True,
        use_l10n=True,
    )


def integer(value, language: str | None = None) -> str:
    """A count: 1 234 567 (fr), 1.234.567 (nl), 1,234,567 (en)."""
    number = _decimal(value)
    return MISSING if number is None else _format(number, 0, _language(language))


def decimal(value, places: int = 1, language: str | None = None) -> str:
    """A number with a fixed number of decimals: 1 234,5 (fr), 1.234,5 (nl), 1,234.5 (en)."""
    number = _decimal(value)
    return MISSING if number is None else _format(number, places, _language(language))


def euros(value, language: str | None = None) -> str:
    """An amount in euros, to the cent: 71 813,33 € (fr), € 71.813,33 (nl), €71,813.33 (en)."""
    number = _decimal(value)
    if number is None:
        return MISSING
    language = _language(language)
    positive, negative = EUROS[language]
    text = _format(abs(number), 2, language)
    return (negative if number < 0 and text.strip("0.,") else positive).format(n=text)


def percent(share, language: str | None = None) -> str:
    """A share from 0 to 1 as a percentage with one decimal: 62,5 % (fr), 62,5% (nl),
    62.5% (en)."""
    number = _decimal(share)
    if number is None:
        return MISSING
    language = _language(language)
    return PERCENT[language].format(n=_format(number * 100, 1, language))


def hours(minutes, language: str | None = None) -> str:
    """A duration given in minutes, as hours and minutes: 0:45, 2:05, 1 234:00."""
    number = _decimal(minutes)
    if number is None:
        return MISSING
    total = int(abs(number).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    whole, rest = divmod(total, 60)
    sign = "-" if number < 0 and total else ""
    return f"{sign}{_format(Decimal(whole), 0, _language(language))}:{rest:02d}"
