"""Writes of the complaints: each validates all its input first (a ValidationError naming
every bad field, in the user's language), then writes in one transaction with its audit
event."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from cases.models import AssistanceRequest
from cases.services import FieldErrors
from privacy.identifiers import contains_identifier

from .models import (
    COMPLAINT_LANGUAGES,
    LEVEL_OF_REGION,
    MAX_ANSWER,
    CompetentBody,
    Complaint,
    Level,
)

MAX_ENTRIES = 50
Status = Complaint.Status


def level_of_entries(entries) -> str:
    """The level whose service hears a complaint about these entries: that of the body that
    asked in most of them (the registry's region), federal when none is named."""
    counts = {}
    for entry in entries:
        institution = entry.responsible_institution
        level = LEVEL_OF_REGION.get(getattr(institution, "region", ""), Level.FEDERAL)
        counts[level] = counts.get(level, 0) + 1
    if not counts:
        return Level.FEDERAL
    return max(counts, key=lambda level: (counts[level], level == Level.FEDERAL))


def competent_body_for_entries(entries) -> CompetentBody | None:
    level = level_of_entries(entries)
    return (
        CompetentBody.objects.filter(level=level).first()
        or CompetentBody.objects.filter(level=Level.FEDERAL).first()
    )


def _entries_check(errors, association, entry_ids) -> list:
    if isinstance(entry_ids, str | bytes) or not hasattr(entry_ids, "__iter__"):
        errors.add("entries", _("Choose the entries the complaint is about."))
        return []
    ids = []
    for value in entry_ids:
        if isinstance(value, AssistanceRequest):
            value = value.pk
        if isinstance(value, bool) or not isinstance(value, int | str):
            errors.add("entries", _("Unknown entry."))
            return []
        text = str(value)
        if not (text.isascii() and text.isdigit() and len(text) <= 18):
            errors.add("entries", _("Unknown entry."))
            return []
        ids.append(int(text))
    if not ids:
        errors.add("entries", _("Choose at least one Once-Only entry."))
        return []
    if len(set(ids)) > MAX_ENTRIES:
        errors.add(
            "entries",
            _("A complaint groups %(max)d entries at most.") % {"max": MAX_ENTRIES},
        )
        return []
    entries = list(
        AssistanceRequest.objects.for_association(association)
        .filter(pk__in=set(ids))
        .select_related("responsible_institution", "once_only_holder", "person")
        .order_by("occurred_on", "pk")
    )
    if len(entries) != len(set(ids)):
        errors.add("entries", _("Unknown entry."))
        return []
    if any(not entry.has_once_only for entry in entries):
        errors.add(
            "entries",
            _("Only entries with the barrier “Once-Only principle not respected” may be chosen."),
        )
    return entries


def complaint_create(
    *, association, actor=None, entries, language="fr", addressed_to=None
) -> Complaint:
    """A draft complaint about the association's Once-Only entries, addressed to the service of
    the level of the body that asked (or to `addressed_to`, a row of the table)."""
    errors = FieldErrors()
    chosen = _entries_check(errors, association, entries)
    if language not in COMPLAINT_LANGUAGES:
        errors.add("language", _("Choose French or Dutch."))
    body = None
    if addressed_to not in (None, ""):
        if isinstance(addressed_to, CompetentBody):
            body = addressed_to
        else:
            text = str(addressed_to)
            if text.isascii() and text.isdigit() and len(text) <= 18:
                body = CompetentBody.objects.filter(pk=int(text)).first()
            if body is None:
                errors.add("addressed_to", _("Unknown competent body."))
    elif "entries" not in errors:
        body = competent_body_for_entries(chosen)
        if body is None:
            errors.add(
                "addressed_to",
                _("No competent body is listed yet: the site administrator adds them."),
            )
    errors.raise_if_any()
    with transaction.atomic():
        complaint = Complaint.objects.create(
            association=association,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            addressed_to=body,
            language=language,
        )
        complaint.entries.set(chosen)
        audit.complaint_created(complaint=complaint, actor=actor)
    return complaint


def _date_check(errors, data, name, not_before=None):
    value = data.get(name)
    if value in (None, ""):
        data[name] = None
        return
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors.add(name, _("Enter a valid date."))
    elif value > timezone.localdate():
        errors.add(name, _("The date cannot be in the future."))
    elif not_before is not None and data.get(not_before) and value < data[not_before]:
        errors.add(name, _("The date cannot come before the day the complaint was sent."))


def complaint_track(*, complaint, actor=None, **data) -> Complaint:
    """Record where the complaint stands: its status and the days it was sent, answered and
    closed, and the answer received."""
    errors = FieldErrors()
    known = {"status", "sent_on", "answered_on", "answer", "closed_on"}
    for name in sorted(set(data) - known):
        errors.add(name, _("Unknown field."))
    status = data.get("status") or Status.DRAFT
    if status not in Status.values:
        errors.add("status", _("“%(value)s” is not a known status.") % {"value": status})
    _date_check(errors, data, "sent_on")
    _date_check(errors, data, "answered_on", not_before="sent_on")
    _date_check(errors, data, "closed_on", not_before="sent_on")
    answer = data.get("answer") or ""
    if not isinstance(answer, str):
        errors.add("answer", _("Enter text."))
    elif len(answer) > MAX_ANSWER:
        errors.add(
            "answer",
            _("The answer is too long (%(max)d characters at most).") % {"max": MAX_ANSWER},
        )
    elif answer and contains_identifier(answer):
        errors.add(
            "answer",
            _("The answer holds a personal identifier (a number, an e-mail, …): leave it out."),
        )
    # Each status asks for the day it was reached (and those before it).
    needs = {
        Status.SENT: ["sent_on"],
        Status.ANSWERED: ["sent_on", "answered_on"],
        Status.CLOSED: ["closed_on"],
    }.get(status, [])
    for name in needs:
        if not data.get(name) and name not in errors:
            errors.add(name, _("Give the date for this status."))
    errors.raise_if_any()
    values = {
        "status": status,
        "sent_on": data.get("sent_on"),
        "answered_on": data.get("answered_on"),
        "answer": answer,
        "closed_on": data.get("closed_on"),
    }
    changed = sorted(name for name, value in values.items() if getattr(complaint, name) != value)
    if not changed:
        return complaint
    with transaction.atomic():
        for name, value in values.items():
            setattr(complaint, name, value)
        complaint.save(update_fields=[*changed, "updated_at"])
        audit.complaint_changed(complaint=complaint, fields=changed, actor=actor)
    return complaint


def complaint_delete(*, complaint, actor=None) -> None:
    with transaction.atomic():
        audit.complaint_deleted(complaint=complaint, actor=actor)
        complaint.delete()


__all__ = [
    "ValidationError",
    "complaint_create",
    "complaint_delete",
    "complaint_track",
    "competent_body_for_entries",
    "level_of_entries",
]
