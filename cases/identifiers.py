"""Find personal identifiers in free text before it is stored or leaves the association.

Workers write notes and incident narratives in a hurry; a national register number, an IBAN, a
phone number, an e-mail address or a PIN slips in easily. `scan` returns where they are and
`mask` blanks them out. Numbers with a checksum (national register numbers, IBANs) are only
reported when the checksum holds, so that an ordinary file number is not flagged.
"""

import re
from dataclasses import asdict, dataclass

NATIONAL_NUMBER = "national_number"
IBAN = "iban"
PHONE = "phone"
EMAIL = "email"
PIN = "pin"

# Priority order: when two findings overlap, the earlier kind wins (a valid national number
# also looks like a phone number when it starts with 0).
KINDS = (NATIONAL_NUMBER, IBAN, EMAIL, PIN, PHONE)

MASK_CHAR = "•"

_SEP = r"[ .\-/]?"
_NATIONAL_NUMBER_RE = re.compile(
    r"(?<![\d.\-])(\d{2})[ .]?(\d{2})[ .]?(\d{2})[ .\-]?(\d{3})[ .\-]?(\d{2})(?![\d])"
)
_IBAN_RE = re.compile(r"\b([A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?)\b")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# Belgian numbers: +32 / 0032 / 0, then 8 (land line) or 9 (mobile) digits, any separators.
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)32" + _SEP + r"(?:\(0\)\s?)?|0)[1-9](?:" + _SEP + r"\d){7,8}(?!\d)"
)
# A secret code announced by a word: "PIN 1234", "code: 0000", "pincode is 123456".
_PIN_RE = re.compile(
    r"\b(?:pin(?:[ -]?code)?|puk|code(?! ?postal)(?: secret| pin)?|geheime code|mot de passe"
    r"|wachtwoord|password|mdp)\s*(?:[:=]|est|is|was|était)?\s*(\d{4,8})(?!\d)",
    re.IGNORECASE,
)

# IBAN length per country for the countries workers meet most; others: 15 to 34 characters.
_IBAN_LENGTHS = {"BE": 16, "NL": 18, "FR": 27, "LU": 20, "DE": 22, "ES": 24, "IT": 27, "PT": 25}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str

    def as_dict(self) -> dict:
        return asdict(self)


def national_number_is_valid(digits: str) -> bool:
    """The mod-97 check of a Belgian national register number (11 digits).

    The check digits are 97 - (first nine digits mod 97); for people born in 2000 or later
    the nine digits are prefixed with a 2 before the division.
    """
    if len(digits) != 11 or not digits.isdigit():
        return False
    body, check = int(digits[:9]), int(digits[9:])
    return check in (97 - body % 97, 97 - (2_000_000_000 + body) % 97)


def iban_is_valid(iban: str) -> bool:
    compact = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def _national_numbers(text):
    for match in _NATIONAL_NUMBER_RE.finditer(text):
        if national_number_is_valid("".join(match.groups())):
            yield Finding(NATIONAL_NUMBER, match.start(), match.end(), match.group(0))


def _ibans(text):
    for match in _IBAN_RE.finditer(text):
        candidate = match.group(1)
        # The regex is greedy on trailing groups: try shorter tails until the checksum holds.
        while candidate:
            if iban_is_valid(candidate):
                start = match.start(1)
                yield Finding(IBAN, start, start + len(candidate), candidate)
                break
            if " " not in candidate.rstrip():
                break
            candidate = candidate.rsplit(" ", 1)[0]


def _emails(text):
    for match in _EMAIL_RE.finditer(text):
        yield Finding(EMAIL, match.start(), match.end(), match.group(0))


def _pins(text):
    for match in _PIN_RE.finditer(text):
        yield Finding(PIN, match.start(1), match.end(1), match.group(1))


def _phones(text):
    for match in _PHONE_RE.finditer(text):
        yield Finding(PHONE, match.start(), match.end(), match.group(0))


_FINDERS = {
    NATIONAL_NUMBER: _national_numbers,
    IBAN: _ibans,
    EMAIL: _emails,
    PIN: _pins,
    PHONE: _phones,
}


def scan(text: str) -> list[Finding]:
    """Every identifier in `text`, in reading order, without overlaps."""
    if not text:
        return []
    kept: list[Finding] = []
    for kind in KINDS:
        for finding in _FINDERS[kind](text):
            if not any(finding.start < k.end and k.start < finding.end for k in kept):
                kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


def contains_identifier(text: str) -> bool:
    return bool(scan(text))


def mask(text: str, findings: list[Finding] | None = None) -> str:
    """`text` with every letter and digit of each finding replaced by a dot; separators stay,
    so the reader still sees that a number or an address was there."""
    if findings is None:
        findings = scan(text)
    pieces, position = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        pieces.append(text[position : finding.start])
        pieces.append(re.sub(r"[A-Za-z0-9]", MASK_CHAR, text[finding.start : finding.end]))
        position = finding.end
    pieces.append(text[position:])
    return "".join(pieces)
