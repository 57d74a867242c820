"""Writes of dossiers: build one for an institution and period from the owner's sheets, then
record when it was sent, the institution's reply and whether the problem was fixed.

Every write is checked whole before anything is stored; a bad value is an error naming its
field (`from`, `to`, `institution`, `sheets`, `sent_on`, `reply`, `replied_on`, `fixed`).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from privacy import identifiers
from referrals.models import Institution
from workload.selectors import period_parse

from . import selectors
from .models import Dossier, Fixed

REPLY_FIELDS = ("sent_on", "reply", "replied_on", "fixed")


def _owner(association, federation) -> dict:
    if (association is None) == (federation is None):
        raise ValueError("a dossier has exactly one owner: an association or a federation")
    return {"association": association, "federation": federation}


def _date(errors, name, value):
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            errors[name] = [_("Enter a date as YYYY-MM-DD.")]
            return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[name] = [_("Enter a date as YYYY-MM-DD.")]
        return None
    if value > timezone.localdate():
        errors[name] = [_("This date cannot be in the future.")]
        return None
    return value


@transaction.atomic
def dossier_create(
    *,
    association=None,
    federation=None,
    actor=None,
    institution,
    period_from,
    period_to,
    sheets,
    title="",
) -> Dossier:
    """A dossier for `institution` over the months `period_from`..`period_to`, holding
    `sheets` (ids or sheets): each must be one the owner may put in it (its own, or a shared
    sheet of the federation's sharing members) naming that institution within the period."""
    owner = _owner(association, federation)
    errors = {}
    try:
        period = period_parse(period_from, period_to)
    except ValidationError as exc:
        errors.update(
            {("period_" + k if k in ("from", "to") else k): v for k, v in exc.message_dict.items()}
        )
        period = None
    if isinstance(institution, int) and not isinstance(institution, bool):
        institution = Institution.objects.filter(pk=institution).first()
    choices = {i.pk for i in selectors.dossier_institution_choices(**owner)}
    if not isinstance(institution, Institution) or institution.pk not in choices:
        errors["institution"] = [_("Choose an institution that your incident sheets name.")]
        institution = None
    wanted = _sheet_ids(errors, sheets)
    if not isinstance(title, str) or len(title.strip()) > 200:
        errors["title"] = [_("The text is too long (%(max)d characters at most).") % {"max": 200}]
    if institution is not None and period is not None and wanted is not None:
        allowed = selectors.dossier_candidate_sheets(
            institution=institution, period=period, **owner
        ).filter(pk__in=wanted)
        chosen = list(allowed)
        if not wanted:
            errors["sheets"] = [_("Choose at least one incident sheet.")]
        elif len(chosen) != len(wanted):
            errors["sheets"] = [
                _("Choose only sheets that name this institution within the period.")
            ]
    if errors:
        raise ValidationError(errors)
    dossier = Dossier.objects.create(
        **owner,
        institution=institution,
        period_from=period.start,
        period_to=period.end,
        title=(title or "").strip() or _default_title(institution, period),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    dossier.sheets.set(chosen)
    audit.dossier_created(dossier=dossier, actor=actor)
    return dossier


def _sheet_ids(errors, sheets) -> set[int] | None:
    if sheets is None or isinstance(sheets, str | bytes | dict):
        errors["sheets"] = [_("Expected a list of incident sheets.")]
        return None
    ids = set()
    for sheet in sheets:
        pk = getattr(sheet, "pk", sheet)
        if isinstance(pk, str) and pk.isascii() and pk.isdigit() and len(pk) <= 18:
            pk = int(pk)
        if not isinstance(pk, int) or isinstance(pk, bool):
            errors["sheets"] = [_("Expected a list of incident sheets.")]
            return None
        ids.add(pk)
    return ids


def _default_title(institution, period) -> str:
    months = period.start if period.start == period.end else f"{period.start} – {period.end}"
    return f"{institution.name} — {months}"


@transaction.atomic
def dossier_record_reply(*, dossier: Dossier, actor=None, **changes) -> Dossier:
    """Record when the dossier was sent, the institution's reply, when it came and whether the
    problem was fixed; the fields not given keep their values."""
    errors = {}
    for name in sorted(set(changes) - set(REPLY_FIELDS)):
        errors[name] = [_("Unknown field.")]
    values = {name: getattr(dossier, name) for name in REPLY_FIELDS}
    for name in ("sent_on", "replied_on"):
        if name in changes:
            values[name] = _date(errors, name, changes[name])
    if "reply" in changes:
        reply = changes["reply"]
        if reply is None:
            reply = ""
        if not isinstance(reply, str):
            errors["reply"] = [_("Expected a text.")]
        elif identifiers.contains_identifier(reply):
            # The reply is kept beside shared sheets: no identifier of a person may come in.
            errors["reply"] = [
                _(
                    "The text contains a personal identifier (national number, IBAN, phone, "
                    "e-mail or PIN): mask it before saving."
                )
            ]
        else:
            values["reply"] = reply.strip()
    if "fixed" in changes:
        fixed = changes["fixed"] if changes["fixed"] is not None else ""
        if fixed not in Fixed.values:
            errors["fixed"] = [_("Choose yes, partly or no.")]
        else:
            values["fixed"] = fixed
    if not errors:
        if values["replied_on"] and values["sent_on"] is None:
            errors["sent_on"] = [_("Say when the dossier was sent before recording a reply.")]
        elif values["replied_on"] and values["replied_on"] < values["sent_on"]:
            errors["replied_on"] = [_("The reply cannot come before the dossier was sent.")]
        elif values["reply"] and not values["replied_on"]:
            errors["replied_on"] = [_("Say when the reply came.")]
    if errors:
        raise ValidationError(errors)
    changed = [name for name in REPLY_FIELDS if getattr(dossier, name) != values[name]]
    for name in changed:
        setattr(dossier, name, values[name])
    if changed:
        dossier.save(update_fields=[*changed, "updated_at"])
        audit.dossier_changed(dossier=dossier, fields=changed, actor=actor)
    return dossier
