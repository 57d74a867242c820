"""Find personal identifiers in free text before it is stored or leaves the association.

Workers write notes and incident narratives in a hurry; a national register number, an IBAN, a
phone number, an e-mail address or a PIN slips in easily. `scan` returns where they are and
`mask` blanks them out. Numbers with a checksum (national register numbers, IBANs) are only
reported when the checksum holds, so that an ordinary file number is not flagged.
"""

import re
from dataclasses import asdict, dataclass

from django.utils.translation import gettext_lazy
from stdnum import iban as stdnum_iban
from stdnum.be import bis, nn

NATIONAL_NUMBER = "national_number"
IBAN = "iban"
PHONE = "phone"
EMAIL = "email"
PIN = "pin"
PASSWORD = "password"

# Priority order: when two findings overlap, the earlier kind wins (a valid national number
# also looks like a phone number when it starts with 0).
KINDS = (NATIONAL_NUMBER, IBAN, EMAIL, PIN, PASSWORD, PHONE)

MASK_CHAR = "•"

LABELS = {
    NATIONAL_NUMBER: gettext_lazy("national register number"),
    IBAN: gettext_lazy("bank account number (IBAN)"),
    PHONE: gettext_lazy("phone number"),
    EMAIL: gettext_lazy("e-mail address"),
    PIN: gettext_lazy("secret code (PIN)"),
    PASSWORD: gettext_lazy("password"),
}

_SEP = r"[ .\-/]?"
# A run of digits and the separators people type between them (spaces, dots, dashes, slashes,
# underscores, commas): "85.07.30/033.28", "850730_033_28", "8 5 0 7 3 0 0 3 3 2 8". Letters
# directly before it ("NN85073003328") do not hide it.
_DIGIT_RUN_RE = re.compile(r"\d(?:[ .\-/_,]*\d)*")
_DIGIT_GROUP_RE = re.compile(r"\d+")
_IBAN_RE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{2}\d{2}(?:[ .\-]?[A-Za-z0-9]{4}){2,7}(?:[ .\-]?[A-Za-z0-9]{1,3})?)"
    r"(?![A-Za-z0-9])"
)
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
# A password announced by a word, whatever it is made of: "mot de passe: Soleil2024",
# "wachtwoord = zomer!23", "mdp est azerty". Only the word after the announcement is flagged.
_PASSWORD_RE = re.compile(
    r"\b(?:mot de passe|mdp|wachtwoord|paswoord|password|passwort|pwd)\s*(?:[:=]|est|is|was|était)"
    r"\s*([^\s,;]{3,64})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str

    def as_dict(self) -> dict:
        return asdict(self)


def national_number_is_valid(digits: str) -> bool:
    """A Belgian national register number (or BIS number) whose mod-97 check digits hold.

    python-stdnum checks both centuries (for people born in 2000 or later the nine digits are
    prefixed with a 2 before the division) and the encoded birth date.
    """
    if len(digits) != 11 or not digits.isdigit():
        return False
    return nn.is_valid(digits) or bis.is_valid(digits)


def iban_is_valid(iban: str) -> bool:
    compact = re.sub(r"[ .\-]", "", iban).upper()
    # The country check of python-stdnum also wants the bank code in its own list, which
    # lags behind; the structure, length and mod-97 check digits are what identify an IBAN.
    return bool(re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact)) and stdnum_iban.is_valid(
        compact, check_country=False
    )


def _eleven_digit_windows(run: str, offset: int):
    """(start, end, digits) of every stretch of 11 digits in `run` that starts and ends on the
    edge of a group of digits, so that "0470 85073003328" is not read as one long number."""
    groups = [(m.start(), m.end()) for m in _DIGIT_GROUP_RE.finditer(run)]
    for first in range(len(groups)):
        digits = ""
        for last in range(first, len(groups)):
            digits += run[groups[last][0] : groups[last][1]]
            if len(digits) > 11:
                break
            if len(digits) == 11:
                yield offset + groups[first][0], offset + groups[last][1], digits
                break


def _national_numbers(text):
    for run in _DIGIT_RUN_RE.finditer(text):
        for start, end, digits in _eleven_digit_windows(run.group(0), run.start()):
            if national_number_is_valid(digits):
                yield Finding(NATIONAL_NUMBER, start, end, text[start:end])


def _ibans(text):
    for match in _IBAN_RE.finditer(text):
        candidate = match.group(1)
        # The regex is greedy on trailing groups: try shorter tails until the checksum holds.
        while candidate:
            if iban_is_valid(candidate):
                start = match.start(1)
                yield Finding(IBAN, start, start + len(candidate), candidate)
                break
            shorter = re.sub(r"[ .\-]?[A-Za-z0-9]+$", "", candidate)
            if shorter == candidate or len(shorter) < 15:
                break
            candidate = shorter


def _emails(text):
    for match in _EMAIL_RE.finditer(text):
        yield Finding(EMAIL, match.start(), match.end(), match.group(0))


def _pins(text):
    for match in _PIN_RE.finditer(text):
        yield Finding(PIN, match.start(1), match.end(1), match.group(1))


def _passwords(text):
    for match in _PASSWORD_RE.finditer(text):
        yield Finding(PASSWORD, match.start(1), match.end(1), match.group(1))


def _phones(text):
    for match in _PHONE_RE.finditer(text):
        yield Finding(PHONE, match.start(), match.end(), match.group(0))


_FINDERS = {
    NATIONAL_NUMBER: _national_numbers,
    IBAN: _ibans,
    EMAIL: _emails,
    PIN: _pins,
    PASSWORD: _passwords,
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


def could_be_national_number(code: str) -> bool:
    """A short code (a pseudonym) whose digits, once letters and separators are removed, are
    eleven: "NN85073003328", "85.07.30/033.28" and "850730_033_28" all are."""
    return len(re.sub(r"\D", "", code)) == 11


def kinds_found(findings: list[Finding]) -> str:
    """The kinds of identifier found, in words of the current language, for a message."""
    return ", ".join(sorted({str(LABELS[f.kind]) for f in findings}))


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
