"""The audit trail's writes: one named constructor per event, and the erasure scrub.

Services call these inside their own transaction, so an event exists exactly when its change
was committed. What is recorded: who (user and email), when, what (action, object type and
id, names of the changed fields — never their values), from where (client address, when
there is a request). A helped person's pseudonym is kept only in `person_data`, which
erasure empties.
"""

from django.db import transaction

from . import context as request_context
from .models import Action, AuditEvent, ObjectType


def _record(
    *,
    action: str,
    object_type: str,
    association_id: int | None,
    object_id="",
    actor=None,
    person_id: int | None = None,
    detail: dict | None = None,
    person_data: dict | None = None,
) -> AuditEvent:
    context = request_context.get()
    if not getattr(actor, "is_authenticated", False):
        actor = context.user
    return AuditEvent.objects.create(
        action=action,
        object_type=object_type,
        association_id=association_id,
        object_id=str(object_id or ""),
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        person_id=person_id,
        ip=context.ip,
        detail=detail or {},
        person_data=person_data,
    )


def _about(object_type, action, obj, actor, detail=None, person_id=None) -> AuditEvent:
    """An event about one row of an association (an entry, a sheet)."""
    return _record(
        action=action,
        object_type=object_type,
        association_id=obj.association_id,
        object_id=obj.pk,
        person_id=person_id,
        actor=actor,
        detail=detail,
    )


def _person_data(person) -> dict:
    return {"code": person.code}


# --- Persons ---------------------------------------------------------------------------------


def _person(action, person, actor, detail=None, keep_code=True) -> AuditEvent:
    return _record(
        action=action,
        object_type=ObjectType.PERSON,
        association_id=person.association_id,
        object_id=person.pk,
        person_id=person.pk,
        actor=actor,
        detail=detail,
        person_data=_person_data(person) if keep_code else None,
    )


def person_created(*, person, actor=None) -> AuditEvent:
    return _person(Action.CREATE, person, actor)


def person_changed(*, person, fields, actor=None) -> AuditEvent:
    return _person(Action.UPDATE, person, actor, {"fields": sorted(fields)})


def person_read(*, person, actor=None) -> AuditEvent:
    return _person(Action.READ, person, actor)


def person_exported(*, person, actor=None, format="json") -> AuditEvent:
    return _person(Action.EXPORT, person, actor, {"format": format})


def persons_listed(*, association_id, actor=None, route="") -> AuditEvent:
    # The search terms are not kept: they may be a person's code.
    return _record(
        action=Action.SEARCH,
        object_type=ObjectType.PERSON,
        association_id=association_id,
        actor=actor,
        detail={"route": route} if route else {},
    )


@transaction.atomic
def person_erased(*, person, actor=None) -> AuditEvent:
    """Right to erasure: empty every trace of the person's pseudonym in the trail, then
    record the erasure itself (by id only)."""
    person_scrub(person_id=person.pk)
    return _person(Action.ERASE, person, actor, keep_code=False)


def person_scrub(*, person_id: int) -> int:
    """The one change the trail allows (its PostgreSQL trigger checks that nothing but
    `person_data` changes, and only to empty)."""
    return (
        AuditEvent.objects.filter(person_id=person_id)
        .exclude(person_data__isnull=True)
        ._scrub_person_data()
    )


# --- Entries ---------------------------------------------------------------------------------


def _entry(action, entry, actor, detail=None) -> AuditEvent:
    return _about(ObjectType.ENTRY, action, entry, actor, detail, person_id=entry.person_id)


def entry_created(*, entry, actor=None) -> AuditEvent:
    return _entry(Action.CREATE, entry, actor, {"month": entry.month})


def entries_imported(*, association_id, count, actor=None) -> AuditEvent:
    return _record(
        action=Action.CREATE,
        object_type=ObjectType.ENTRY,
        association_id=association_id,
        actor=actor,
        detail={"count": count},
    )


def entry_changed(*, entry, fields, actor=None) -> AuditEvent:
    return _entry(Action.UPDATE, entry, actor, {"fields": sorted(fields)})


def entry_deleted(*, entry, actor=None) -> AuditEvent:
    return _entry(Action.DELETE, entry, actor, {"month": entry.month})


# --- Contact attempts ------------------------------------------------------------------------


def _attempt(action, attempt, actor, detail=None) -> AuditEvent:
    return _about(ObjectType.ATTEMPT, action, attempt, actor, detail)


def _complaint(action, complaint, actor, detail=None) -> AuditEvent:
    return _about(ObjectType.COMPLAINT, action, complaint, actor, detail)


def complaint_created(*, complaint, actor=None) -> AuditEvent:
    return _complaint(Action.CREATE, complaint, actor, {"entries": complaint.entries.count()})


def complaint_changed(*, complaint, fields, actor=None) -> AuditEvent:
    return _complaint(Action.UPDATE, complaint, actor, {"fields": sorted(fields)})


def complaint_deleted(*, complaint, actor=None) -> AuditEvent:
    return _complaint(Action.DELETE, complaint, actor)


def attempt_created(*, attempt, actor=None) -> AuditEvent:
    return _attempt(Action.CREATE, attempt, actor, {"month": attempt.month})


def attempt_changed(*, attempt, fields, actor=None) -> AuditEvent:
    return _attempt(Action.UPDATE, attempt, actor, {"fields": sorted(fields)})


def attempt_deleted(*, attempt, actor=None) -> AuditEvent:
    return _attempt(Action.DELETE, attempt, actor, {"month": attempt.month})


def attempts_imported(*, association_id, count, actor=None) -> AuditEvent:
    return _record(
        action=Action.CREATE,
        object_type=ObjectType.ATTEMPT,
        association_id=association_id,
        actor=actor,
        detail={"count": count},
    )


# --- Orientations --------------------------------------------------------------------------


def orientation_sent(*, orientation, actor=None) -> AuditEvent:
    # The shared items' names, never their values; the receiving service's address is not
    # the person's, but stays out of the trail all the same.
    return _about(
        ObjectType.ORIENTATION,
        Action.CREATE,
        orientation,
        actor,
        {"status": orientation.status, "shared": sorted(orientation.shared)},
    )


def orientation_answered(*, orientation) -> AuditEvent:
    """The receiving service answered through its link: no account, so no actor."""
    return _record(
        action=Action.UPDATE,
        object_type=ObjectType.ORIENTATION,
        association_id=orientation.association_id,
        object_id=orientation.pk,
        detail={"status": orientation.status, "by": "receiving_service"},
    )


def orientation_expired(*, orientation) -> AuditEvent:
    return _record(
        action=Action.UPDATE,
        object_type=ObjectType.ORIENTATION,
        association_id=orientation.association_id,
        object_id=orientation.pk,
        detail={"status": orientation.status, "by": "expiry"},
    )


# --- Mandates -------------------------------------------------------------------------------


def _mandate(action, mandate, actor, detail=None) -> AuditEvent:
    return _about(ObjectType.MANDATE, action, mandate, actor, detail, person_id=mandate.person_id)


def mandate_created(*, mandate, scopes, actor=None) -> AuditEvent:
    return _mandate(
        Action.CREATE,
        mandate,
        actor,
        {
            "reference": mandate.reference,
            "scopes": sorted(scopes),
            "starts_on": mandate.starts_on.isoformat(),
            "ends_on": mandate.ends_on.isoformat(),
            "form": mandate.form,
            "consent_text_sha256": mandate.consent_text_sha256,
        },
    )


def mandate_changed(*, mandate, fields, actor=None) -> AuditEvent:
    return _mandate(
        Action.UPDATE,
        mandate,
        actor,
        {"fields": sorted(fields), "consent_text_sha256": mandate.consent_text_sha256},
    )


def mandate_used(*, mandate, entry_ids, actor=None) -> AuditEvent:
    return _mandate(Action.USE, mandate, actor, {"entries": sorted(entry_ids)})


def mandate_revoked(*, mandate, actor=None) -> AuditEvent:
    return _mandate(Action.REVOKE, mandate, actor, {"revoked_on": mandate.revoked_on.isoformat()})


def mandate_expired(*, mandate) -> AuditEvent:
    return _mandate(Action.EXPIRE, mandate, None, {"ends_on": mandate.ends_on.isoformat()})


# --- Incident sheets -------------------------------------------------------------------------


def _incident(action, sheet, actor, detail=None) -> AuditEvent:
    return _about(ObjectType.INCIDENT, action, sheet, actor, detail)


def incident_created(*, sheet, actor=None) -> AuditEvent:
    return _incident(Action.CREATE, sheet, actor, {"shared": sheet.shared})


def incident_changed(*, sheet, fields, actor=None) -> AuditEvent:
    return _incident(Action.UPDATE, sheet, actor, {"fields": sorted(fields)})


def incident_deleted(*, sheet, actor=None) -> AuditEvent:
    return _incident(Action.DELETE, sheet, actor)


# --- Dossiers addressed to an institution ---------------------------------------------------


def _dossier(action, dossier, actor, detail) -> AuditEvent:
    # A federation's dossier belongs to no association's trail.
    return _record(
        action=action,
        object_type=ObjectType.DOSSIER,
        association_id=dossier.association_id,
        object_id=dossier.pk,
        actor=actor,
        detail={"federation": dossier.federation_id, **detail},
    )


def dossier_created(*, dossier, actor=None) -> AuditEvent:
    return _dossier(Action.CREATE, dossier, actor, {"sheets": dossier.sheets.count()})


def dossier_changed(*, dossier, fields, actor=None) -> AuditEvent:
    return _dossier(Action.UPDATE, dossier, actor, {"fields": sorted(fields)})


def dossier_exported(*, dossier, actor=None) -> AuditEvent:
    return _dossier(Action.EXPORT, dossier, actor, {"format": "pdf"})


# --- Memberships and association settings --------------------------------------------------


def _membership(action, membership, actor, detail) -> AuditEvent:
    organisation = membership.organisation
    return _record(
        action=action,
        object_type=ObjectType.MEMBERSHIP,
        association_id=organisation.pk if organisation.kind == "association" else None,
        object_id=membership.pk,
        actor=actor,
        detail={"user": membership.user.email, "organisation": organisation.slug, **detail},
    )


def membership_created(*, membership, actor=None) -> AuditEvent:
    return _membership(Action.CREATE, membership, actor, {"role": membership.role})


def membership_changed(*, membership, fields, actor=None) -> AuditEvent:
    return _membership(
        Action.UPDATE, membership, actor, {"role": membership.role, "fields": sorted(fields)}
    )


def membership_deleted(*, membership, actor=None) -> AuditEvent:
    return _membership(Action.DELETE, membership, actor, {"role": membership.role})


def association_settings_changed(*, association, fields, actor=None) -> AuditEvent:
    return _record(
        action=Action.UPDATE,
        object_type=ObjectType.ASSOCIATION,
        association_id=association.pk,
        object_id=association.pk,
        actor=actor,
        detail={"fields": sorted(fields)},
    )


# --- Federation evidence --------------------------------------------------------------------


def evidence_bundle_imported(*, bundle, actor=None) -> AuditEvent:
    """A federation accepted an association's signed bundle (its cells, never an entry)."""
    return _record(
        action=Action.CREATE,
        object_type=ObjectType.EVIDENCE_BUNDLE,
        association_id=None,
        object_id=bundle.bundle_id,
        actor=actor,
        detail={
            "federation": bundle.source.federation.slug,
            "association": bundle.source.slug,
            "from": bundle.period_start,
            "to": bundle.period_end,
            "cells": bundle.cells,
            "sha256": bundle.sha256,
        },
    )
