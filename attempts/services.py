"""Every write to the contact-attempt diary: web form, API and import alike.

Validation is the log entry's (`cases.services.fields_check` over `attempts.fields`): every
bad field is named at once, in the active language, and nothing is written. Each write marks
the months it changed for recomputation, in its own transaction, as entries do.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit import services as audit
from cases import selectors as case_selectors
from cases.services import BULK_BATCH_SIZE, FieldErrors, fields_check, month_of
from freshness import services as freshness
from organisations.models import Association
from referrals.selectors import institutions_list_for_association

from . import selectors
from .fields import ATTEMPT_FIELDS
from .models import ContactAttempt


def contact_attempt_clean(association: Association, data: dict) -> dict:
    """Check an attempt's fields; raise a ValidationError naming each bad one, or return the
    cleaned values (the institution's kind stored when an institution is given)."""
    errors = FieldErrors()
    entry = data.pop("assistance_request", None)
    fields_check(errors, association, data, ATTEMPT_FIELDS)
    if entry is not None:
        # Only an entry of the same association, looked up through its scope, can be named.
        entry_id = getattr(entry, "pk", entry)
        if isinstance(entry_id, bool) or not isinstance(entry_id, int):
            entry = None
        else:
            entry = case_selectors.assistance_request_get_for_association(
                association=association, pk=entry_id
            )
        if entry is None:
            errors.add("assistance_request", _("Unknown entry."))
    errors.raise_if_any()
    data["assistance_request"] = entry
    return data


def _apply(attempt: ContactAttempt, data: dict) -> None:
    for name, value in data.items():
        setattr(attempt, name, value)
    attempt.month = month_of(attempt.occurred_on)


@transaction.atomic
def contact_attempt_create(*, association: Association, actor=None, **fields) -> ContactAttempt:
    data = contact_attempt_clean(association, {**fields})
    attempt = ContactAttempt(association=association, created_by=actor)
    _apply(attempt, data)
    attempt.save()
    freshness.log_changed(association_id=association.pk, months={attempt.month})
    audit.attempt_created(attempt=attempt, actor=actor)
    return attempt


def contact_attempt_values(attempt: ContactAttempt) -> dict:
    """The values a worker gave an attempt: what an undo puts back."""
    return {f.name: getattr(attempt, f.name) for f in ATTEMPT_FIELDS} | {
        "assistance_request": attempt.assistance_request
    }


@transaction.atomic
def contact_attempt_update(*, attempt: ContactAttempt, actor=None, **changes) -> ContactAttempt:
    """Change some fields of an attempt; the others keep their values."""
    current = contact_attempt_values(attempt)
    data = contact_attempt_clean(attempt.association, {**current, **changes})
    changed = [name for name in changes if current.get(name) != data.get(name)]
    old_month = attempt.month
    _apply(attempt, data)
    attempt.save()
    freshness.log_changed(association_id=attempt.association_id, months={old_month, attempt.month})
    if changed:
        audit.attempt_changed(attempt=attempt, fields=changed, actor=actor)
    return attempt


@transaction.atomic
def contact_attempt_delete(*, attempt: ContactAttempt, actor=None) -> dict:
    """Delete an attempt; returns its values, with which `contact_attempt_create` undoes it."""
    values = contact_attempt_values(attempt)
    audit.attempt_deleted(attempt=attempt, actor=actor)
    freshness.log_changed(association_id=attempt.association_id, months={attempt.month})
    attempt.delete()
    return values


def contact_attempts_bulk_create(
    *, association: Association, rows, actor=None, on_batch=None
) -> int:
    """Log many attempts at once (an imported file, the demo), each checked as one save checks
    it; every row is checked before anything is written, in batches inside one transaction
    (`on_batch(n_written)` reports progress), and the months are marked once."""
    attempts = []
    errors = FieldErrors()
    for position, row in enumerate(rows, start=1):
        try:
            data = contact_attempt_clean(association, {**row})
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    errors.add(f"{position}.{name}", message)
            continue
        attempt = ContactAttempt(association=association, created_by=actor)
        _apply(attempt, data)
        attempts.append(attempt)
    errors.raise_if_any()
    with transaction.atomic():
        for start in range(0, len(attempts), BULK_BATCH_SIZE):
            batch = attempts[start : start + BULK_BATCH_SIZE]
            ContactAttempt.objects.bulk_create(batch)
            if on_batch is not None:
                on_batch(len(batch))
        if attempts:
            freshness.log_changed(association_id=association.pk, months={a.month for a in attempts})
            audit.attempts_imported(association_id=association.pk, count=len(attempts), actor=actor)
    return len(attempts)


def _document_values(association: Association, document) -> dict:
    """The values an undo document holds, read back: a body or an entry the association can
    no longer see comes back as none."""
    if not isinstance(document, dict):
        raise ValidationError(_("Nothing to undo."))
    data = {f.name: document.get(f.name) for f in ATTEMPT_FIELDS}
    try:
        data["occurred_on"] = dt.date.fromisoformat(str(data["occurred_on"]))
    except ValueError:
        raise ValidationError(_("Nothing to undo.")) from None
    bodies = institutions_list_for_association(association_id=association.pk)
    institution_id = document.get("institution")
    data["institution"] = (
        bodies.filter(pk=institution_id).first() if isinstance(institution_id, int) else None
    )
    entry_id = document.get("assistance_request")
    data["assistance_request"] = (
        case_selectors.assistance_request_get_for_association(association=association, pk=entry_id)
        if isinstance(entry_id, int)
        else None
    )
    return data


def contact_attempt_restore(*, association: Association, actor=None, document) -> ContactAttempt:
    """Log again an attempt just deleted, from the document its deletion kept."""
    data = _document_values(association, document)
    return contact_attempt_create(association=association, actor=actor, **data)


def contact_attempt_revert(
    *, association: Association, actor=None, attempt_id, document
) -> ContactAttempt:
    """Give an attempt just changed its values from before the change (the document the
    change kept); an attempt deleted since, or another association's, has nothing to undo."""
    attempt = (
        selectors.contact_attempt_get_for_association(association=association, pk=attempt_id)
        if isinstance(attempt_id, int) and not isinstance(attempt_id, bool)
        else None
    )
    if attempt is None:
        raise ValidationError(_("Nothing to undo."))
    data = _document_values(association, document)
    return contact_attempt_update(attempt=attempt, actor=actor, **data)
