"""Every write to the mandates: web form, API, nightly job and demo alike.

Each checks the whole input first and raises a ValidationError naming every bad field, in the
active language, writing nothing. Each write is audited, computes the hash of the wording
printed for the person, and re-derives which mandate each of the person's do_for entries was
done under, marking the months whose do_for_without_mandate changed.
"""

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from cases import selectors as case_selectors
from cases.models import AssistanceRequest
from cases.services import FieldErrors
from freshness import services as freshness
from organisations.models import Association

from . import presentation, selectors
from .models import FORMS, Mandate, MandateScope

FIELDS = ("person", "scopes", "starts_on", "ends_on", "form")


def one_year_after(day: dt.date) -> dt.date:
    """The last day a mandate starting on `day` may run to: the same date a year later
    (28 February for a start on 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _check_person(errors, association, value):
    if value is None or value == "":
        errors.add("person", _("Choose the person who gives the mandate."))
        return None
    person_id = getattr(value, "pk", value)
    if isinstance(person_id, bool) or not isinstance(person_id, int):
        errors.add("person", _("Unknown person."))
        return None
    person = case_selectors.person_get_for_association(association=association, pk=person_id)
    if person is None:
        errors.add("person", _("Unknown person."))
    return person


def _check_scopes(errors, value):
    if isinstance(value, str) or not isinstance(value, list | tuple | set):
        errors.add("scopes", _("Give a list of procedure domains."))
        return []
    codes = list(dict.fromkeys(value))
    if not codes:
        errors.add("scopes", _("Choose at least one procedure domain."))
    unknown = [c for c in codes if not isinstance(c, str) or c not in presentation.TOP_LEVEL_CODES]
    if unknown:
        errors.add(
            "scopes",
            _("Unknown procedure domain: %(codes)s (a mandate covers whole top-level domains).")
            % {"codes": ", ".join(str(c) for c in unknown)},
        )
    return codes


def _check_date(errors, data, name):
    value = data.get(name)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    if value in (None, ""):
        errors.add(name, _("Give a date."))
    else:
        errors.add(name, _("Give a date as YYYY-MM-DD."))
    return None


def mandate_clean(association: Association, data: dict) -> dict:
    errors = FieldErrors()
    unknown = set(data) - set(FIELDS)
    for name in sorted(unknown):
        errors.add(name, _("Unknown field."))
    person = _check_person(errors, association, data.get("person"))
    scopes = _check_scopes(errors, data.get("scopes"))
    starts_on = _check_date(errors, data, "starts_on")
    ends_on = _check_date(errors, data, "ends_on")
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors.add("ends_on", _("The end date cannot be before the start date."))
        elif ends_on > one_year_after(starts_on):
            errors.add(
                "ends_on",
                _("A mandate runs for at most one year: until %(day)s at the latest.")
                % {"day": one_year_after(starts_on).isoformat()},
            )
    form = data.get("form")
    if form not in FORMS:
        errors.add("form", _("Say how the mandate was given: signed on paper or in person."))
    errors.raise_if_any()
    return {
        "person": person,
        "scopes": scopes,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "form": form,
    }


def _new_reference(association_id: int, year: int) -> str:
    while True:
        reference = f"M{year}-{secrets.token_hex(3).upper()}"
        if not Mandate.objects.filter(association_id=association_id, reference=reference).exists():
            return reference


def _seal(mandate: Mandate, scopes) -> None:
    """The hash of the exact wording printed for the person, with these scopes and term."""
    mandate.consent_text_sha256 = presentation.wording_sha256(
        presentation.mandate_wording(
            association_name=mandate.association.name,
            person_code=mandate.person.code,
            reference=mandate.reference,
            scopes=scopes,
            starts_on=mandate.starts_on,
            ends_on=mandate.ends_on,
            form=mandate.form,
            language=mandate.language,
        )
    )


def person_entries_relink(*, association_id: int, person_id: int, actor=None) -> int:
    """Re-derive the mandate of each of the person's do_for entries after their mandates
    changed; the months whose figures changed are marked. Returns the entries changed."""
    entries = list(
        AssistanceRequest.objects.filter(
            association_id=association_id, person_id=person_id, mode="do_for"
        ).only("id", "person_id", "mode", "occurred_on", "procedure_root", "month", "mandate_id")
    )
    before = {e.pk: e.mandate_id for e in entries}
    selectors.entries_mandates_assign(association_id, entries, actor)
    changed = [e for e in entries if e.mandate_id != before[e.pk]]
    if changed:
        AssistanceRequest.objects.bulk_update(changed, ["mandate"], batch_size=1000)
        freshness.log_changed(association_id=association_id, months={e.month for e in changed})
    return len(changed)


@transaction.atomic
def mandate_create(*, association: Association, actor=None, **fields) -> Mandate:
    data = mandate_clean(association, {**fields})
    person = data["person"]
    mandate = Mandate(
        association=association,
        person=person,
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        form=data["form"],
        language=presentation.form_language(person.language),
        created_by=actor if getattr(actor, "pk", None) else None,
        reference=_new_reference(association.pk, data["starts_on"].year),
    )
    _seal(mandate, data["scopes"])
    try:
        with transaction.atomic():
            mandate.save()
    except IntegrityError:  # a reference drawn meanwhile by another request: draw again
        mandate.reference = _new_reference(association.pk, data["starts_on"].year)
        _seal(mandate, data["scopes"])
        mandate.save()
    MandateScope.objects.bulk_create(MandateScope(mandate=mandate, code=c) for c in data["scopes"])
    audit.mandate_created(mandate=mandate, scopes=data["scopes"], actor=actor)
    person_entries_relink(association_id=association.pk, person_id=person.pk, actor=actor)
    return mandate


@transaction.atomic
def mandate_update(*, mandate: Mandate, actor=None, **changes) -> Mandate:
    """Change a mandate's scopes, term or form; the wording changes, and so does its hash (the
    form must be printed and agreed again). The person cannot change; a revoked mandate is
    closed."""
    errors = FieldErrors()
    if (
        "person" in changes
        and getattr(changes["person"], "pk", changes["person"]) != mandate.person_id
    ):
        errors.add("person", _("The person of a mandate cannot change: record a new mandate."))
    if mandate.revoked_on is not None:
        errors.add("revoked_on", _("This mandate is revoked: it can no longer be changed."))
    errors.raise_if_any()
    current = {
        "person": mandate.person,
        "scopes": mandate.scope_codes,
        "starts_on": mandate.starts_on,
        "ends_on": mandate.ends_on,
        "form": mandate.form,
    }
    data = mandate_clean(mandate.association, {**current, **changes})
    changed = [name for name in FIELDS if current[name] != data[name]]
    if name_changed := [n for n in changed if n != "person"]:
        mandate.starts_on, mandate.ends_on, mandate.form = (
            data["starts_on"],
            data["ends_on"],
            data["form"],
        )
        if mandate.ends_on >= timezone.localdate():
            mandate.expired_at = None
        _seal(mandate, data["scopes"])
        mandate.save()
        if "scopes" in name_changed:
            mandate.scopes.all().delete()
            MandateScope.objects.bulk_create(
                MandateScope(mandate=mandate, code=c) for c in data["scopes"]
            )
        audit.mandate_changed(mandate=mandate, fields=name_changed, actor=actor)
        person_entries_relink(
            association_id=mandate.association_id, person_id=mandate.person_id, actor=actor
        )
    return Mandate.objects.get(pk=mandate.pk)


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, actor=None, revoked_on=None) -> Mandate:
    """Revoke a mandate from `revoked_on` (today by default) on; it is kept."""
    errors = FieldErrors()
    today = timezone.localdate()
    if revoked_on in (None, ""):
        day = today
    else:
        day = _check_date(errors, {"revoked_on": revoked_on}, "revoked_on")
    if mandate.revoked_on is not None:
        errors.add("non_field_errors", _("This mandate is already revoked."))
    elif day is not None:
        if day < mandate.starts_on:
            errors.add("revoked_on", _("A mandate cannot be revoked before it starts."))
        elif day > today:
            errors.add("revoked_on", _("A revocation cannot be dated in the future."))
    errors.raise_if_any()
    mandate.revoked_on = day
    mandate.save(update_fields=["revoked_on", "updated_at"])
    audit.mandate_revoked(mandate=mandate, actor=actor)
    person_entries_relink(
        association_id=mandate.association_id, person_id=mandate.person_id, actor=actor
    )
    return mandate


def mandates_expire(*, today: dt.date | None = None) -> int:
    """The nightly job: every mandate whose term is over is recorded as expired, once. Its
    entries need no change: a mandate covers the days of its term only."""
    today = today or timezone.localdate()
    count = 0
    for mandate in selectors.mandates_to_expire(today=today).select_related("person"):
        with transaction.atomic():
            updated = Mandate.objects.filter(pk=mandate.pk, expired_at__isnull=True).update(
                expired_at=timezone.now()
            )
            if updated:
                audit.mandate_expired(mandate=mandate)
                count += 1
    return count
