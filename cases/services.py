"""Every write to the log goes through these functions: form, API, import and seed alike.

Each validates the whole input first and raises a ValidationError naming every bad field (in
the active language), so that nothing is written on bad input; then it writes in one
transaction and tells `freshness.services.log_changed` which months changed, which marks them
and queues their recomputation.
"""

import datetime as dt
import functools
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from freshness import services as freshness
from organisations.models import Association
from privacy import identifiers
from privacy.identifiers import contains_identifier
from referrals.models import Institution, Referral
from referrals.services import institution_mark_merged
from taxonomy import get_taxonomy, procedure_root

from . import selectors
from .bulk import bulk_insert
from .entry_fields import (
    ENTRY_FIELDS,
    FIELD_NAMES,
    ONCE_ONLY_BARRIER,
    ONCE_ONLY_FIELDS,
    EntryField,
    Kind,
    entry_document,
    entry_values,
)
from .models import (
    BARRIER_CODES,
    KIND_CODES,
    LANGUAGE_CODES,
    PROCEDURE_CODES,
    AssistanceRequest,
    EntryUndo,
    ImportedFile,
    IncidentSheet,
    Person,
)

# Kept for the callers that name the entry's fields: the definition is cases.entry_fields.
REQUEST_FIELDS = FIELD_NAMES


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _today() -> dt.date:
    return timezone.localdate()


class FieldErrors(dict):
    """The messages of each bad field, raised together as one ValidationError."""

    def add(self, field, message):
        self.setdefault(field, []).append(message)

    def raise_if_any(self):
        if self:
            raise ValidationError(dict(self))


def _check_code(errors, data, field, allowed, required=True):
    value = data.get(field)
    if value in (None, ""):
        if required:
            errors.add(field, _("This field is required."))
        else:
            data[field] = ""  # an optional code not given is stored as no code
        return
    if not isinstance(value, str) or value not in allowed:
        errors.add(field, _("“%(value)s” is not a known code.") % {"value": value})


def _check_code_list(errors, data, field, allowed):
    value = data.get(field)
    if value is None:
        data[field] = []
        return
    if isinstance(value, str) or not isinstance(value, Iterable):
        errors.add(field, _("Expected a list of codes."))
        return
    codes = list(value)
    unknown = [c for c in codes if not isinstance(c, str) or c not in allowed]
    if unknown:
        errors.add(field, _("Unknown codes: %(codes)s.") % {"codes": ", ".join(map(str, unknown))})
    elif len(set(codes)) != len(codes):
        errors.add(field, _("A code appears twice."))
    else:
        data[field] = sorted(codes)


def _check_institution(errors, data, field, association_id):
    value = data.get(field)
    if value in (None, ""):
        data[field] = None
        return
    # A body another association added and no one validated is as unknown as a missing one.
    # A retired or merged body stays acceptable: old entries that name it can still be edited.
    if not isinstance(value, Institution) or not (
        value.is_shared or value.added_by_id == association_id
    ):
        errors.add(field, _("Unknown institution."))


# --- One check per kind of entry field (cases.entry_fields) ----------------------------------


def _missing(errors, data, f: EntryField) -> bool:
    """Whether the field is empty (an error when required; its empty value otherwise)."""
    if data.get(f.name) not in (None, ""):
        return False
    if f.required:
        errors.add(f.name, f.message("required"))
    else:
        data[f.name] = f.default
    return True


# How far ahead a date that looks ahead (the next appointment) may lie.
MAX_AHEAD = dt.timedelta(days=731)


def _check_date_field(errors, data, f, association):
    if _missing(errors, data, f):
        return
    day = data[f.name]
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        errors.add(f.name, f.message("invalid"))
    elif f.not_before:
        since = data.get(f.not_before)
        if isinstance(since, dt.date) and day < since:
            errors.add(f.name, _("The date cannot come before the day of the visit."))
        elif day > _today() + MAX_AHEAD:
            errors.add(f.name, _("The date is too far ahead (two years at most)."))
    elif day > _today():
        errors.add(f.name, _("The date cannot be in the future."))
    elif f.minimum is not None and day < f.minimum:
        errors.add(f.name, _("The date is too far in the past."))


def _check_number_field(errors, data, f, association):
    if _missing(errors, data, f):
        return
    value = data[f.name]
    if f.kind is Kind.DECIMAL and isinstance(value, int | str) and not isinstance(value, bool):
        try:
            value = data[f.name] = Decimal(str(value))
        except ArithmeticError:
            pass
    number_types = (int,) if f.kind is Kind.INTEGER else (Decimal,)
    if (
        isinstance(value, bool)
        or not isinstance(value, number_types)
        or (isinstance(value, Decimal) and not value.is_finite())
    ):
        errors.add(f.name, f.message("invalid"))
    elif (f.minimum is not None and value < f.minimum) or (
        f.maximum is not None and value > f.maximum
    ):
        errors.add(f.name, f.message("range") % {"min": f.minimum, "max": f.maximum})
    elif isinstance(value, Decimal) and -value.as_tuple().exponent > f.decimal_places:
        errors.add(f.name, f.message("invalid"))


def _check_code_field(errors, data, f, association):
    if f.set_by:
        return  # after its institution: see _check_kind_of_body
    if not f.required and data.get(f.name) in (None, ""):
        data[f.name] = f.default
        return
    _check_code(errors, data, f.name, _codes(f.section), required=f.required)


def _check_codes_field(errors, data, f, association):
    _check_code_list(errors, data, f.name, _codes(f.section))


def _check_institution_field(errors, data, f, association):
    _check_institution(errors, data, f.name, association.pk)


def _check_person_field(errors, data, f, association):
    person = data.get(f.name)
    if person is not None and (
        not isinstance(person, Person) or person.association_id != association.pk
    ):
        errors.add(f.name, _("Unknown person."))


def _check_text_field(errors, data, f, association):
    text = data.get(f.name)
    if text is None:
        data[f.name] = ""
    elif not isinstance(text, str):
        errors.add(f.name, _("Enter text."))
    elif f.max_length is not None and len(text) > f.max_length:
        errors.add(f.name, f.message("too_long") % {"max": f.max_length})


def _check_kind_of_body(errors, data, f, association):
    """When a body is given, its kind wins over a kind typed by hand (METRICS.md)."""
    institution = data.get(f.set_by)
    if isinstance(institution, Institution) and f.set_by not in errors:
        data[f.name] = institution.kind
    else:
        _check_code(errors, data, f.name, _codes(f.section), required=f.required)


CHECKS = {
    Kind.DATE: _check_date_field,
    Kind.INTEGER: _check_number_field,
    Kind.DECIMAL: _check_number_field,
    Kind.CODE: _check_code_field,
    Kind.CODES: _check_codes_field,
    Kind.INSTITUTION: _check_institution_field,
    Kind.PERSON: _check_person_field,
    Kind.TEXT: _check_text_field,
}


@functools.cache
def _codes(section: str) -> frozenset[str]:
    return frozenset(get_taxonomy().codes(section))


def fields_check(errors: FieldErrors, association: Association, data: dict, fields) -> None:
    """Check `data` against a list of field definitions (`EntryField`), one check per kind,
    adding each problem to `errors` and normalising the values in place (defaults, kinds of
    bodies). The log entry and the contact attempt are both checked this way."""
    for name in sorted(set(data) - {f.name for f in fields}):
        errors.add(name, _("Unknown field."))
    for f in fields:
        CHECKS[f.kind](errors, data, f, association)
    for f in fields:
        if f.set_by:
            _check_kind_of_body(errors, data, f, association)


def assistance_request_clean(association: Association, data: dict) -> dict:
    """Validate an entry's fields as every write door does (form, API, admin, imports); raise a
    ValidationError naming each bad field, or return the cleaned values."""
    errors = FieldErrors()
    fields_check(errors, association, data, ENTRY_FIELDS)
    # Handling a password, a PIN or someone's itsme is only done with a consent on record:
    # "not applicable" (the form's default) or no answer is refused with the reason.
    if (
        data.get("sensitive_flags")
        and "sensitive_flags" not in errors
        and data.get("consent") in (None, "", "not_applicable")
    ):
        errors["consent"] = [
            _("Sensitive data was handled: record the consent given (written, oral or none).")
        ]
    _check_once_only(errors, data)
    errors.raise_if_any()
    return data


def _check_once_only(errors: FieldErrors, data: dict) -> None:
    """The document asked for again and the body holding it belong to a Once-Only entry; the
    document's name goes into complaints, so it may not carry an identifier of the person."""
    once_only = ONCE_ONLY_BARRIER in (data.get("barriers") or [])
    for name in ONCE_ONLY_FIELDS:
        if data.get(name) not in (None, "") and not once_only and name not in errors:
            errors.add(
                name,
                _("Only for an entry with the barrier “Once-Only principle not respected”."),
            )
    document = data.get("once_only_document")
    if isinstance(document, str) and document and "once_only_document" not in errors:
        if contains_identifier(document):
            errors.add(
                "once_only_document",
                _(
                    "The name of the document holds a personal identifier (a number, an "
                    "e-mail, …): name the document only."
                ),
            )


# Who says which mandate a do_for entry is done under: the mandates app, above this one,
# registers `assign(association_id, entries, actor)`, which sets `entry.mandate` on each entry
# given (saved or not) and returns the entries whose mandate it set; without it, none is.
ENTRY_MANDATE_RESOLVERS: dict = {}


def _mandates_assign(association_id: int, entries: list, actor=None) -> None:
    for entry in entries:
        entry.mandate = None
    for assign in ENTRY_MANDATE_RESOLVERS.values():
        assign(association_id, entries, actor)


def _mandates_used(association_id: int, entries: list, actor=None) -> None:
    """Once the entries have ids: each mandate used is recorded in the audit trail."""
    used = {}
    for entry in entries:
        if entry.mandate_id is not None:
            used.setdefault(entry.mandate, []).append(entry.pk)
    for mandate, entry_ids in used.items():
        audit.mandate_used(mandate=mandate, entry_ids=entry_ids, actor=actor)


def _apply(entry: AssistanceRequest, data: dict) -> dict[str, list[str]]:
    """Set the entry's fields and its derived columns; return the codes of each CODES field,
    which live in child tables written once the entry has an id."""
    codes = {f.name: data.pop(f.name, []) for f in ENTRY_FIELDS if f.kind is Kind.CODES}
    for name, value in data.items():
        setattr(entry, name, value)
    entry.month = month_of(entry.occurred_on)
    entry.procedure_root = procedure_root(entry.procedure_domain)
    entry.has_barrier = bool(codes["barriers"])
    entry.has_once_only = "once_only" in codes["barriers"]
    entry.has_sensitive_flag = bool(codes["sensitive_flags"])
    return codes


def _code_rows(entry: AssistanceRequest, codes: dict[str, list[str]]) -> dict[type, list]:
    """The child rows of an entry's CODES fields, by their model (the field's related name)."""
    rows = {}
    for name, values in codes.items():
        model = AssistanceRequest._meta.get_field(name).related_model
        rows.setdefault(model, []).extend(model(assistance_request=entry, code=c) for c in values)
    return rows


@transaction.atomic
def assistance_request_create(
    *, association: Association, actor=None, **fields
) -> AssistanceRequest:
    """Log one entry. Missing optional fields take their defaults (no barrier, no notes)."""
    data = assistance_request_clean(association, {**fields})
    entry = AssistanceRequest(association=association, created_by=actor)
    codes = _apply(entry, data)
    _mandates_assign(association.pk, [entry], actor)
    entry.save()
    for model, rows in _code_rows(entry, codes).items():
        model.objects.bulk_create(rows)
    freshness.log_changed(association_id=association.pk, months={entry.month})
    audit.entry_created(entry=entry, actor=actor)
    _mandates_used(association.pk, [entry], actor)
    return entry


BULK_BATCH_SIZE = 2000


def assistance_requests_clean(association: Association, rows: Iterable[dict]) -> list[dict]:
    """Check many entries as one save checks each; a bad row raises a ValidationError whose
    fields are prefixed with the row's position (`3.duration_minutes`)."""
    cleaned = []
    errors = FieldErrors()
    for position, row in enumerate(rows, start=1):
        try:
            cleaned.append(assistance_request_clean(association, {**row}))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    errors.add(f"{position}.{field}", message)
    errors.raise_if_any()
    return cleaned


def assistance_requests_bulk_create(
    *, association: Association, rows: Iterable[dict], actor=None, on_batch=None
) -> int:
    """Log many entries at once (imports, demo data), validated exactly like one entry.

    Every row is checked before anything is written; a bad row raises a ValidationError whose
    fields are prefixed with the row's position (`3.duration_minutes`). Rows are written in
    batches of BULK_BATCH_SIZE inside one transaction; `on_batch(n_written)` reports progress.
    """
    cleaned = assistance_requests_clean(association, rows)
    months = set()
    with transaction.atomic():
        for start in range(0, len(cleaned), BULK_BATCH_SIZE):
            batch = cleaned[start : start + BULK_BATCH_SIZE]
            entries, children = [], {}
            for data in batch:
                entry = AssistanceRequest(association=association, created_by=actor)
                codes = _apply(entry, data)
                entries.append((entry, codes))
                months.add(entry.month)
            _mandates_assign(association.pk, [entry for entry, _codes in entries], actor)
            bulk_insert(AssistanceRequest, [entry for entry, _codes in entries], assign_ids=True)
            _mandates_used(association.pk, [entry for entry, _codes in entries], actor)
            for entry, codes in entries:
                for model, rows in _code_rows(entry, codes).items():
                    children.setdefault(model, []).extend(rows)
            for model, rows in children.items():
                bulk_insert(model, rows)
            if on_batch is not None:
                on_batch(len(batch))
        if months:
            freshness.log_changed(association_id=association.pk, months=months)
            audit.entries_imported(association_id=association.pk, count=len(cleaned), actor=actor)
    return len(cleaned)


def imported_file_record(
    *,
    association: Association,
    content_sha256: str,
    filename: str = "",
    actor=None,
    entries_imported: int = 0,
    attempts_imported: int = 0,
    rows_already_there: int = 0,
) -> ImportedFile:
    """Remember that a file was imported, in the transaction that writes its entries; a file
    recorded meanwhile by another run refuses this one (the unique constraint decides)."""
    try:
        with transaction.atomic():
            return ImportedFile.objects.create(
                association=association,
                content_sha256=content_sha256,
                filename=filename[:200],
                imported_by=actor if getattr(actor, "pk", None) else None,
                entries_imported=entries_imported,
                attempts_imported=attempts_imported,
                rows_already_there=rows_already_there,
            )
    except IntegrityError:
        raise ValidationError({"file": [_("This file was already imported.")]}) from None


@transaction.atomic
def assistance_request_update(
    *, entry: AssistanceRequest, actor=None, **changes
) -> AssistanceRequest:
    """Change some fields of an entry; the others keep their values."""
    current = entry_values(entry)
    data = assistance_request_clean(entry.association, {**current, **changes})
    changed = [name for name in changes if current.get(name) != data.get(name)]
    old_month = entry.month
    old_mandate_id = entry.mandate_id
    codes = _apply(entry, data)
    _mandates_assign(entry.association_id, [entry], actor)
    entry.save()
    if entry.mandate_id is not None and entry.mandate_id != old_mandate_id:
        _mandates_used(entry.association_id, [entry], actor)
    for name in codes:
        getattr(entry, name).all().delete()
    for model, rows in _code_rows(entry, codes).items():
        model.objects.bulk_create(rows)
    freshness.log_changed(association_id=entry.association_id, months={old_month, entry.month})
    audit.entry_changed(entry=entry, fields=changed, actor=actor)
    return entry


@transaction.atomic
def assistance_request_delete(*, entry: AssistanceRequest, actor=None) -> None:
    association_id, month = entry.association_id, entry.month
    audit.entry_deleted(entry=entry, actor=actor)
    entry.delete()
    freshness.log_changed(association_id=association_id, months={month})


# How long a deleted entry can be brought back: the page shows "Undo" for UNDO_SECONDS, and
# a few seconds of grace cover slow networks and keyboards.
UNDO_SECONDS = 10
UNDO_GRACE_SECONDS = 5


@transaction.atomic
def assistance_request_delete_for_undo(
    *, entry: AssistanceRequest, summary: str, actor=None
) -> EntryUndo:
    """Delete an entry and keep what "Undo" needs for a few seconds, server-side: the entry's
    document, the sentence that names it, and what pointed at it."""
    entry_undos_expire()
    undo = EntryUndo.objects.create(
        association_id=entry.association_id,
        person_id=entry.person_id,
        snapshot={
            **entry_document(entry),
            "summary": summary,
            "links": assistance_request_links(entry),
        },
    )
    assistance_request_delete(entry=entry, actor=actor)
    return undo


def _undo_age_seconds(undo: EntryUndo) -> float:
    return (timezone.now() - undo.created_at).total_seconds()


def assistance_request_undo(*, association: Association, undo_id, actor=None):
    """Log a deleted entry again from its undo row, if it is the association's and still
    fresh; the row is gone afterwards either way. Raises ValidationError when it is too late
    or no longer valid."""
    undo = EntryUndo.objects.filter(association=association, pk=undo_id).first()
    if undo is None or _undo_age_seconds(undo) > UNDO_SECONDS + UNDO_GRACE_SECONDS:
        if undo is not None:
            undo.delete()
        raise ValidationError(_("Too late to undo: log the entry again."))
    snapshot = undo.snapshot
    with transaction.atomic():
        undo.delete()
        values = selectors.entry_values_from_document(association=association, document=snapshot)
        entry = assistance_request_create(association=association, actor=actor, **values)
        assistance_request_links_restore(entry=entry, links=snapshot.get("links", {}))
    return entry


def entry_undo_pending(*, association: Association, undo_id) -> tuple[dict, int] | None:
    """(summary, seconds left) of a deletion that can still be undone, else None."""
    undo = EntryUndo.objects.filter(association=association, pk=undo_id).first()
    if undo is None:
        return None
    remaining = UNDO_SECONDS - _undo_age_seconds(undo)
    if remaining <= 0:
        return None
    return undo.snapshot.get("summary"), max(1, int(remaining))


def entry_undos_expire() -> int:
    """Delete the undo rows past their seconds (their notes must not linger)."""
    cutoff = timezone.now() - dt.timedelta(seconds=UNDO_SECONDS + UNDO_GRACE_SECONDS)
    deleted, _rows = EntryUndo.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def assistance_request_links(entry: AssistanceRequest) -> dict:
    """What points at an entry and is not part of it: kept so an undone deletion can restore it."""
    return {
        "incidents": list(entry.incidents.values_list("pk", flat=True)),
        "referrals": list(entry.referrals.values_list("pk", flat=True)),
    }


def assistance_request_links_restore(*, entry: AssistanceRequest, links: dict) -> None:
    """Give a restored entry back the incident sheets and referrals the deleted one had (of its
    own association only: the ids come from the browser's session)."""
    association = entry.association_id
    entry.incidents.add(
        *IncidentSheet.objects.filter(association=association, pk__in=links.get("incidents", []))
    )
    Referral.objects.filter(
        association=association, pk__in=links.get("referrals", []), assistance_request=None
    ).update(assistance_request=entry)


# --- Persons ---------------------------------------------------------------------------------


def person_clean(association, data, instance=None):
    """Validate a person's fields (the pseudonym may not look like a national number);
    raise a ValidationError naming each bad field, or return the cleaned values."""
    errors = FieldErrors()
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        errors.add("code", _("This field is required."))
    else:
        code = data["code"] = code.strip()
        if len(code) > 30:
            errors.add("code", _("The code is too long (30 characters at most)."))
        elif identifiers.could_be_national_number(code):
            # Eleven digits look like a national register number, whatever surrounds them:
            # never stored, even when the check digits are wrong (a typo is still a number).
            errors.add("code", _("A code must be a pseudonym, not a national register number."))
        elif identifiers.scan(code):
            errors.add(
                "code",
                _("A code must be a pseudonym: no phone number, e-mail, bank account or PIN."),
            )
        else:
            clash = Person.objects.for_association(association).filter(code=code)
            if instance is not None:
                clash = clash.exclude(pk=instance.pk)
            if clash.exists():
                errors.add("code", _("This code is already used."))
    year = data.get("birth_year")
    if year not in (None, ""):
        if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= _today().year:
            errors.add("birth_year", _("Enter a year between 1900 and this year."))
    else:
        data["birth_year"] = None
    postcode = data.get("postcode") or ""
    if not isinstance(postcode, str) or (
        postcode and not (postcode.isdigit() and len(postcode) == 4)
    ):
        errors.add("postcode", _("Enter a Belgian postcode of four digits."))
    data["postcode"] = postcode if isinstance(postcode, str) else ""
    language = data.get("language") or "fr"
    if language not in LANGUAGE_CODES:
        errors.add("language", _("Unknown language."))
    data["language"] = language
    errors.raise_if_any()
    return data


@transaction.atomic
def person_create(
    *, association: Association, actor=None, code, birth_year=None, postcode="", language="fr"
) -> Person:
    data = person_clean(
        association,
        {"code": code, "birth_year": birth_year, "postcode": postcode, "language": language},
    )
    person = Person.objects.create(association=association, **data)
    audit.person_created(person=person, actor=actor)
    return person


@transaction.atomic
def person_update(*, person: Person, actor=None, **changes) -> Person:
    current = {
        "code": person.code,
        "birth_year": person.birth_year,
        "postcode": person.postcode,
        "language": person.language,
    }
    data = person_clean(person.association, {**current, **changes}, instance=person)
    changed = [field for field in data if current.get(field) != data[field]]
    for field, value in data.items():
        setattr(person, field, value)
    person.save()
    audit.person_changed(person=person, fields=changed, actor=actor)
    return person


@transaction.atomic
def person_erase(*, person: Person, actor=None) -> None:
    """Erase a person (right to erasure): the person row goes, their entries stay, anonymised.

    The entries lose their link to the person and their free-text notes, which may name them.
    No figure depends on either but do_for_without_mandate: a do_for entry done under the
    person's mandate no longer has a person, so it counts, and its month is marked.
    """
    entries = AssistanceRequest.objects.filter(association_id=person.association_id, person=person)
    # An entry without a person was done under no mandate of theirs (METRICS.md): the months
    # of the do_for entries that had one change their do_for_without_mandate.
    months = set(entries.filter(mandate__isnull=False).values_list("month", flat=True))
    entries.update(person=None, notes="", mandate=None)
    if months:
        freshness.log_changed(association_id=person.association_id, months=months)
    # A deletion waiting for "Undo" would bring the person's entry back, notes and all.
    EntryUndo.objects.filter(association_id=person.association_id, person_id=person.pk).delete()
    audit.person_erased(person=person, actor=actor)
    person.delete()


# --- Incident sheets -------------------------------------------------------------------------


INCIDENT_FIELDS = (
    "occurred_on",
    "title",
    "narrative",
    "procedure_domain",
    "responsible_kind",
    "responsible_institution",
    "barriers",
    "entries",
    "shared",
)


def _check_shareable(errors, shared, *texts):
    # A shared sheet leaves the association: it may not carry a national number, an IBAN, a
    # phone number, an e-mail address or a PIN (data minimisation, MISSION.md).
    if shared and any(isinstance(t, str) and contains_identifier(t) for t in texts):
        errors.add(
            "shared",
            _(
                "The text contains a personal identifier (national number, IBAN, phone, "
                "e-mail or PIN): mask it before sharing."
            ),
        )


def _clean_incident(association: Association, data: dict) -> dict:
    errors = FieldErrors()
    for field in sorted(set(data) - set(INCIDENT_FIELDS)):
        errors.add(field, _("Unknown field."))
    occurred_on = data.get("occurred_on")
    if not isinstance(occurred_on, dt.date) or isinstance(occurred_on, dt.datetime):
        errors.add("occurred_on", _("Give the date of the incident as a valid date."))
    elif occurred_on > _today():
        errors.add("occurred_on", _("The date of the incident cannot be in the future."))
    for field, limit in (("title", 200), ("narrative", None)):
        value = data.get(field)
        if not isinstance(value, str) or not value.strip():
            errors.add(field, _("This field is required."))
        elif limit and len(value.strip()) > limit:
            errors.add(
                field, _("The text is too long (%(max)d characters at most).") % {"max": limit}
            )
    if data.get("procedure_domain") is None:
        data["procedure_domain"] = ""
    _check_code(errors, data, "procedure_domain", PROCEDURE_CODES, required=False)
    _check_institution(errors, data, "responsible_institution", association.pk)
    institution = data.get("responsible_institution")
    if isinstance(institution, Institution):
        data["responsible_kind"] = institution.kind
    else:
        if data.get("responsible_kind") is None:
            data["responsible_kind"] = ""
        _check_code(errors, data, "responsible_kind", KIND_CODES, required=False)
    _check_code_list(errors, data, "barriers", BARRIER_CODES)
    entries = data.get("entries")
    if entries is None:
        entries = []
    if isinstance(entries, str) or not isinstance(entries, Iterable):
        errors.add("entries", _("Expected a list of entries."))
    else:
        entries = list(entries)
        if any(
            not isinstance(e, AssistanceRequest) or e.association_id != association.pk
            for e in entries
        ):
            errors.add("entries", _("Unknown entry."))
        data["entries"] = entries
    data["shared"] = bool(data.get("shared"))
    _check_shareable(errors, data["shared"], data.get("title"), data.get("narrative"))
    errors.raise_if_any()
    data["title"] = data["title"].strip()
    return data


def _save_incident(sheet: IncidentSheet, data: dict) -> IncidentSheet:
    entries = data.pop("entries")
    for field, value in data.items():
        setattr(sheet, field, value)
    sheet.save()
    sheet.entries.set(entries)
    return sheet


@transaction.atomic
def incident_sheet_create(
    *,
    association: Association,
    actor=None,
    occurred_on,
    title,
    narrative,
    procedure_domain="",
    responsible_kind="",
    responsible_institution=None,
    barriers=(),
    entries=(),
    shared=False,
) -> IncidentSheet:
    data = _clean_incident(
        association,
        {
            "occurred_on": occurred_on,
            "title": title,
            "narrative": narrative,
            "procedure_domain": procedure_domain,
            "responsible_kind": responsible_kind,
            "responsible_institution": responsible_institution,
            "barriers": list(barriers) if barriers is not None else [],
            "entries": entries,
            "shared": shared,
        },
    )
    sheet = _save_incident(IncidentSheet(association=association, created_by=actor), data)
    audit.incident_created(sheet=sheet, actor=actor)
    return sheet


@transaction.atomic
def incident_sheet_update(*, sheet: IncidentSheet, actor=None, **changes) -> IncidentSheet:
    """Change some fields of an incident sheet; the others keep their values."""
    current = {
        "occurred_on": sheet.occurred_on,
        "title": sheet.title,
        "narrative": sheet.narrative,
        "procedure_domain": sheet.procedure_domain,
        "responsible_kind": sheet.responsible_kind,
        "responsible_institution": sheet.responsible_institution,
        "barriers": list(sheet.barriers or []),
        "entries": list(sheet.entries.all()),
        "shared": sheet.shared,
    }
    # A kind was derived from the institution: dropping the institution keeps no stale kind
    # unless a kind is given with it.
    if "responsible_institution" in changes and "responsible_kind" not in changes:
        current["responsible_kind"] = ""
    data = _clean_incident(sheet.association, {**current, **changes})
    changed = [field for field in changes if current.get(field) != data.get(field)]
    sheet = _save_incident(sheet, data)
    audit.incident_changed(sheet=sheet, fields=changed, actor=actor)
    return sheet


def taxonomy_label(section: str, code: str, language: str) -> str:
    return get_taxonomy().label(section, code, language)


# --- The registry of bodies, as the log sees it ----------------------------------------------


@transaction.atomic
def institution_merge(*, source: Institution, target: Institution, actor=None) -> int:
    """Merge a duplicate body into another: every entry, incident sheet and referral that named
    `source` names `target` from now on (with the target's kind, as a save would store it), and
    the months whose figures change are recomputed. `source` is kept, marked as merged, so
    that nothing it was ever linked to breaks. Returns the number of entries moved."""
    if source.pk == target.pk:
        raise ValidationError({"target": [_("A body cannot be merged into itself.")]})
    if target.merged_into_id is not None or target.retired_at is not None:
        raise ValidationError({"target": [_("Merge into a body still in use.")]})
    entries = AssistanceRequest.objects.filter(
        Q(referred_by=source) | Q(responsible_institution=source)
    )
    months_by_association: dict[int, set[str]] = {}
    for association_id, month in entries.values_list("association_id", "month").distinct():
        months_by_association.setdefault(association_id, set()).add(month)
    moved = entries.count()
    AssistanceRequest.objects.filter(referred_by=source).update(
        referred_by=target, referrer_kind=target.kind
    )
    AssistanceRequest.objects.filter(responsible_institution=source).update(
        responsible_institution=target, responsible_kind=target.kind
    )
    IncidentSheet.objects.filter(responsible_institution=source).update(
        responsible_institution=target
    )
    Referral.objects.filter(institution=source).update(institution=target)
    institution_mark_merged(institution=source, into=target)
    for association_id, months in sorted(months_by_association.items()):
        freshness.log_changed(association_id=association_id, months=months)
    return moved
