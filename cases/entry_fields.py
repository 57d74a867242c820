"""The fields of a log entry, in the order a worker goes through them, with their limits.

Defined once, here: the services validate by this list, and the web form, the API's
serializer, the admin, the undo snapshot, the person's export document, the log export's
header and the import's columns are all derived from it. Adding a field to the log touches
the model, this list and a migration; a field none of the hand-laid parts of the entry page
knows is shown in the form's "more" section and in the person's record by its label.

Nothing here imports the models (the model takes its limits from here).
"""

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Kind(enum.Enum):
    DATE = "date"
    INTEGER = "integer"
    DECIMAL = "decimal"
    CODE = "code"  # one code of a taxonomy section
    CODES = "codes"  # several codes of a section, a row each in the child table of that name
    INSTITUTION = "institution"  # a body of the registry (its kind is stored beside it)
    PERSON = "person"  # a pseudonymous person of the association
    TEXT = "text"


class Group(enum.Enum):
    """Where a field sits: the admin's fieldsets follow this."""

    WHEN = ""
    PROCEDURE = "procedure"
    OUTCOME = "outcome"
    RIGHTS = "rights"


@dataclass(frozen=True)
class EntryField:
    name: str
    kind: Kind
    label: Promise
    group: Group
    section: str = ""  # the taxonomy section of a CODE or CODES field
    required: bool = True
    minimum: int | Decimal | dt.date | None = None
    maximum: int | Decimal | None = None
    max_length: int | None = None
    decimal_places: int = 2
    # A CODE field that an INSTITUTION field sets: the body's kind wins (METRICS.md), and the
    # code is required only when no body is given.
    set_by: str = ""
    # Whether the field leaves the association in the director's log export and is read back
    # by the import. Never the person (not even the pseudonym) nor free text.
    exported: bool = True
    # A DATE that looks ahead (an appointment): it may lie in the future, but never before
    # the day of the field named here.
    not_before: str = ""
    messages: dict = field(default_factory=dict)
    # What an optional field not given is stored as (the rights ledger's "none" and zeros).
    default: object = None

    def message(self, key: str) -> Promise:
        return self.messages.get(key) or DEFAULT_MESSAGES[key]

    @property
    def attribute(self) -> str:
        """The entry's attribute holding the value as the document and the API give it."""
        if self.kind is Kind.CODES:
            return f"{self.name.removesuffix('s')}_codes"
        if self.kind in (Kind.INSTITUTION, Kind.PERSON):
            return f"{self.name}_id"
        return self.name

    @property
    def optional_code(self) -> bool:
        return self.kind is Kind.CODE and (not self.required or bool(self.set_by))


DEFAULT_MESSAGES = {
    "required": _("This field is required."),
    "invalid": _("Enter a valid value."),
    "range": _("Enter a value between %(min)s and %(max)s."),
    "too_long": _("The text is too long (%(max)d characters at most)."),
}

MIN_DURATION, MAX_DURATION = 1, 1440
EARLIEST_DATE = dt.date(2000, 1, 1)
MAX_NOTES = 5000
MAX_ONCE_ONLY_DOCUMENT = 200
# The barrier whose entries name the document asked for again and the body holding it.
ONCE_ONLY_BARRIER = "once_only"
ONCE_ONLY_FIELDS = ("once_only_document", "once_only_holder")
MAX_RIGHT_MONTHS = 120
MAX_RIGHT_MONTHLY_EUR = Decimal("10000.00")
MAX_EXTRA_COST_EUR = Decimal("100000.00")


def _euros_at_stake(name: str, label: Promise, maximum: Decimal) -> EntryField:
    """An amount of the rights ledger: euros with cents, from 0, none by default."""
    return EntryField(
        name,
        Kind.DECIMAL,
        label,
        Group.RIGHTS,
        required=False,
        minimum=Decimal("0"),
        maximum=maximum,
        default=Decimal("0.00"),
        messages={"invalid": _("Enter an amount in euros, with at most two decimals.")},
    )


ENTRY_FIELDS: tuple[EntryField, ...] = (
    EntryField(
        "occurred_on",
        Kind.DATE,
        _("Date"),
        Group.WHEN,
        minimum=EARLIEST_DATE,
        messages={"invalid": _("Enter a valid date.")},
    ),
    EntryField(
        "duration_minutes",
        Kind.INTEGER,
        _("Duration (minutes)"),
        Group.WHEN,
        minimum=MIN_DURATION,
        maximum=MAX_DURATION,
        messages={
            "invalid": _("Enter a whole number of minutes."),
            "range": _("The duration must be between %(min)d and %(max)d minutes."),
        },
    ),
    EntryField("channel", Kind.CODE, _("Channel"), Group.WHEN, section="channels"),
    EntryField(
        "procedure_domain",
        Kind.CODE,
        _("Procedure"),
        Group.PROCEDURE,
        section="procedure_domains",
    ),
    EntryField(
        "referrer_kind",
        Kind.CODE,
        _("Kind of referrer"),
        Group.PROCEDURE,
        section="referrer_types",
        set_by="referred_by",
    ),
    EntryField("referred_by", Kind.INSTITUTION, _("Referred by"), Group.PROCEDURE),
    EntryField(
        "responsible_kind",
        Kind.CODE,
        _("Kind of responsible body"),
        Group.PROCEDURE,
        section="referrer_types",
        set_by="responsible_institution",
    ),
    EntryField("responsible_institution", Kind.INSTITUTION, _("Responsible body"), Group.PROCEDURE),
    EntryField(
        "barriers",
        Kind.CODES,
        _("Digital barriers"),
        Group.PROCEDURE,
        section="digital_barriers",
        required=False,
    ),
    # Once-Only (domain.md): with the `once_only` barrier, which document the administration
    # asked for again and which body already holds it; the director's complaints quote both.
    EntryField(
        "once_only_document",
        Kind.TEXT,
        _("Document asked for again"),
        Group.PROCEDURE,
        required=False,
        max_length=MAX_ONCE_ONLY_DOCUMENT,
        exported=False,
        messages={
            "too_long": _("The name of the document is too long (%(max)d characters at most).")
        },
    ),
    # Not in the log export: its columns are the contract's, and complaints read these here.
    EntryField(
        "once_only_holder",
        Kind.INSTITUTION,
        _("Body that already holds it"),
        Group.PROCEDURE,
        required=False,
        exported=False,
    ),
    EntryField("mode", Kind.CODE, _("Assistance mode"), Group.OUTCOME, section="assistance_modes"),
    EntryField("outcome", Kind.CODE, _("Outcome"), Group.OUTCOME, section="outcomes"),
    EntryField("consent", Kind.CODE, _("Consent"), Group.OUTCOME, section="consent_types"),
    EntryField(
        "sensitive_flags",
        Kind.CODES,
        _("Sensitive data handled"),
        Group.OUTCOME,
        section="sensitive_data_flags",
        required=False,
    ),
    # The rights ledger (METRICS.md): what the situation cost the person.
    EntryField(
        "rights_impact",
        Kind.CODE,
        _("Impact on rights"),
        Group.RIGHTS,
        section="rights_impacts",
        required=False,
        default="none",
    ),
    EntryField(
        "non_take_up_type",
        Kind.CODE,
        _("Kind of non-take-up"),
        Group.RIGHTS,
        section="non_take_up_types",
        required=False,
    ),
    EntryField(
        "right_months",
        Kind.INTEGER,
        _("Months of the benefit delayed or lost"),
        Group.RIGHTS,
        required=False,
        minimum=0,
        maximum=MAX_RIGHT_MONTHS,
        default=0,
        messages={
            "invalid": _("Enter a whole number of months."),
            "range": _("The months must be between %(min)d and %(max)d."),
        },
    ),
    _euros_at_stake(
        "right_monthly_eur", _("Monthly amount of the benefit (€)"), MAX_RIGHT_MONTHLY_EUR
    ),
    _euros_at_stake("extra_cost_eur", _("Fees, fines or interest borne (€)"), MAX_EXTRA_COST_EUR),
    EntryField(
        "next_appointment",
        Kind.DATE,
        _("Next appointment"),
        Group.OUTCOME,
        required=False,
        # When the person comes back is for the receipt, not for the figures.
        exported=False,
        not_before="occurred_on",
        messages={"invalid": _("Enter a valid date.")},
    ),
    EntryField(
        "person", Kind.PERSON, _("Person (code)"), Group.OUTCOME, required=False, exported=False
    ),
    EntryField(
        "notes",
        Kind.TEXT,
        _("Notes"),
        Group.OUTCOME,
        required=False,
        max_length=MAX_NOTES,
        exported=False,
        messages={"too_long": _("The notes are too long (%(max)d characters at most).")},
    ),
)

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in ENTRY_FIELDS)

# When the entry form shows the rights ledger (Group.RIGHTS): the outcome says the procedure
# did not simply end with the right open (partly done, waiting, postponed, sent elsewhere,
# abandoned, impossible, right lost: taxonomy `outcomes`, domain.md's rights impacts by outcome),
# or a barrier says the right itself was held up (a file error no one can correct online, a
# letter only in the eBox that no one saw). A resolved procedure without such a barrier keeps
# the ledger under its fold. The one rule: the form reads it, and renders it for entry.js.
LEDGER_OUTCOMES = (
    "partial",
    "pending_inst",
    "pending_person",
    "postponed_technical",
    "redirected",
    "abandoned",
    "impossible",
    "rights_lost",
)
LEDGER_BARRIERS = ("data_error", "digital_mail")


def ledger_called_for(outcome, barriers=()) -> bool:
    """Whether the entry's outcome or barriers call for the rights ledger on the form."""
    return outcome in LEDGER_OUTCOMES or any(b in LEDGER_BARRIERS for b in barriers or ())


# The fields that the entry page and the person's record lay out by hand, each in its own
# place. A field added to the definition is not here: the form shows it in its "more"
# section and the record in a column of its own, by its label, with nothing else to write.
LAID_OUT_BY_HAND = frozenset(
    {
        "occurred_on",
        "duration_minutes",
        "channel",
        "procedure_domain",
        "referrer_kind",
        "referred_by",
        "responsible_kind",
        "responsible_institution",
        "barriers",
        "mode",
        "outcome",
        "consent",
        "sensitive_flags",
        "person",
        "notes",
        "once_only_document",
        "once_only_holder",
    }
)
MORE_FIELDS: tuple[EntryField, ...] = tuple(
    f for f in ENTRY_FIELDS if f.name not in LAID_OUT_BY_HAND
)
BY_NAME: dict[str, EntryField] = {f.name: f for f in ENTRY_FIELDS}


def fields_of(*kinds: Kind) -> tuple[EntryField, ...]:
    return tuple(f for f in ENTRY_FIELDS if f.kind in kinds)


def entry_values(entry) -> dict:
    """An entry's fields as the services take them (objects, lists of codes)."""
    values = {}
    for f in ENTRY_FIELDS:
        source = f.attribute if f.kind is Kind.CODES else f.name
        values[f.name] = getattr(entry, source)
    return values


def entry_document(entry) -> dict:
    """An entry's fields as JSON data: ids for bodies and persons, ISO dates, decimals as text
    (as the API writes them). The person's export and the undo snapshot are this document."""
    document = {}
    for f in ENTRY_FIELDS:
        value = getattr(entry, f.attribute)
        if value is not None and f.kind is Kind.DATE:
            value = value.isoformat()
        elif value is not None and f.kind is Kind.DECIMAL:
            value = str(value)
        document[f.name] = value
    return document


def _fingerprint_value(f: EntryField, value):
    if value is None or value == "":
        return ""
    if f.kind is Kind.INSTITUTION:
        return getattr(value, "pk", value)
    if f.kind is Kind.CODES:
        return tuple(sorted(value))
    if f.kind is Kind.DATE:
        return value.isoformat()
    if f.kind is Kind.DECIMAL:
        return str(Decimal(value).normalize())
    return value


def entry_fingerprint(values: dict) -> tuple:
    """What tells an entry from another in a log file: every field the log export writes and
    the import reads (date, duration, channel, procedure, bodies, codes, mode, outcome, …),
    never the person or the notes a file does not carry. A body counts by its id, a list of
    codes whatever its order. Two rows alike are the same entry only once per row: a worker
    may well help two persons with the same procedure for the same minutes on one day."""
    return tuple(_fingerprint_value(f, values.get(f.name)) for f in ENTRY_FIELDS if f.exported)
