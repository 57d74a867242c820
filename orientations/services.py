"""Every write of an orientation: sending (page and API), the receiving service's answers
through the signed link, the reminder and the expiry (Celery beat).

The link is `django.core.signing` over the orientation's id, salted for this use and valid
LINK_VALID_DAYS: it needs no account and cannot be forged or moved to another orientation.
Free text leaves the association here, so a personal identifier in it is refused outright
(no "keep it" choice, unlike text kept in the log).
"""

import datetime as dt
import smtplib

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit import services as audit
from cases import selectors as case_selectors
from cases.services import FieldErrors, month_of
from organisations.models import Association
from privacy import identifiers
from referrals.selectors import institutions_list_for_association
from taxonomy import get_taxonomy

from .models import LINK_VALID_DAYS, RECIPIENT_LANGUAGES, REMINDER_AFTER_DAYS, Orientation

LINK_SALT = "orientations.answer-link"
MAX_NEED_LENGTH = 2000
MAX_REASON_LENGTH = 1000
Status = Orientation.Status
# What the receiving service may answer, from each status it may answer from.
ANSWERS = {
    Status.SENT: {Status.ACCEPTED, Status.REFUSED, Status.DONE, Status.NO_SHOW},
    Status.ACCEPTED: {Status.DONE, Status.NO_SHOW},
}


# --- the signed link -------------------------------------------------------------------------


def link_token(orientation: Orientation) -> str:
    return signing.dumps({"o": orientation.pk}, salt=LINK_SALT)


def link_url(orientation: Orientation, base_url: str | None = None) -> str:
    base = (base_url or settings.SITE_URL).rstrip("/")
    return base + reverse("orientations:answer", args=[link_token(orientation)])


class LinkRefused(Exception):
    """The link cannot be used: forged, altered, too old, or its orientation closed."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def orientation_from_link(token: str, *, now=None) -> Orientation:
    """The orientation a link opens, or LinkRefused saying why (expired, or invalid)."""
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=dt.timedelta(days=LINK_VALID_DAYS))
    except signing.SignatureExpired:
        raise LinkRefused("expired") from None
    except signing.BadSignature:
        raise LinkRefused("invalid") from None
    pk = payload.get("o") if isinstance(payload, dict) else None
    orientation = (
        Orientation.objects.select_related("association", "institution")
        .filter(pk=pk if isinstance(pk, int) else 0)
        .first()
    )
    if orientation is None:
        raise LinkRefused("invalid")
    if orientation.status == Status.EXPIRED or _is_past_validity(orientation, now):
        raise LinkRefused("expired")
    return orientation


def _is_past_validity(orientation, now=None) -> bool:
    now = now or timezone.now()
    return now - orientation.sent_at >= dt.timedelta(days=LINK_VALID_DAYS)


# --- sending ---------------------------------------------------------------------------------


def _scan(errors, field, text):
    findings = identifiers.scan(text or "")
    if findings:
        errors.add(
            field,
            _("This text contains a %(kinds)s: remove it, it would leave the association.")
            % {"kinds": identifiers.kinds_found(findings)},
        )


def _text(errors, data, field, *, required, limit):
    value = data.get(field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, _("Expected a text."))
        return ""
    value = value.strip()
    if required and not value:
        errors.add(field, _("This field is required."))
    elif len(value) > limit:
        errors.add(
            field,
            _("At most %(limit)d characters (this one has %(count)d).")
            % {"limit": limit, "count": len(value)},
        )
    return value


def shared_snapshot(entry, items) -> dict:
    """What the service will read: only the consented items, in the taxonomy's codes."""
    person = entry.person
    values = {
        Orientation.Share.PROCEDURE: entry.procedure_domain,
        Orientation.Share.LANGUAGE: person.language if person else "",
        Orientation.Share.BIRTH_YEAR: person.birth_year if person else None,
        Orientation.Share.POSTCODE: person.postcode if person else "",
    }
    return {item: values[item] for item in items if values.get(item) not in (None, "")}


def orientation_clean(association: Association, data: dict) -> dict:
    """Check what a worker sends; raise a ValidationError naming each bad field."""
    errors = FieldErrors()
    cleaned = {}
    entry_id = data.get("assistance_request")
    entry_id = getattr(entry_id, "pk", entry_id)
    entry = None
    if isinstance(entry_id, int) and not isinstance(entry_id, bool):
        entry = case_selectors.assistance_request_get_for_association(
            association=association, pk=entry_id
        )
    if entry is None:
        errors.add("assistance_request", _("Unknown entry."))
    cleaned["assistance_request"] = entry

    institution = data.get("institution")
    institution_id = getattr(institution, "pk", institution)
    cleaned["institution"] = None
    if institution_id not in (None, ""):
        bodies = institutions_list_for_association(association_id=association.pk)
        found = None
        if isinstance(institution_id, int) and not isinstance(institution_id, bool):
            found = bodies.filter(pk=institution_id).first()
        if found is None:
            errors.add("institution", _("Unknown institution."))
        cleaned["institution"] = found
    cleaned["recipient_name"] = _text(errors, data, "recipient_name", required=False, limit=200)
    if not cleaned["recipient_name"] and institution_id in (None, ""):
        errors.add("recipient_name", _("Choose a body of the registry or name the service."))

    email = data.get("recipient_email")
    email = email.strip() if isinstance(email, str) else ""
    try:
        validate_email(email)
    except ValidationError:
        errors.add("recipient_email", _("Enter the e-mail address of the receiving service."))
    cleaned["recipient_email"] = email

    language = data.get("recipient_language")
    if language not in RECIPIENT_LANGUAGES:
        errors.add("recipient_language", _("Choose French, Dutch or English."))
    cleaned["recipient_language"] = language

    cleaned["need"] = _text(errors, data, "need", required=True, limit=MAX_NEED_LENGTH)
    _scan(errors, "need", cleaned["need"])
    _scan(errors, "recipient_name", cleaned["recipient_name"])

    items = data.get("shares")
    if items is None:
        items = []
    known = set(Orientation.Share.values)
    if isinstance(items, str) or not isinstance(items, list | tuple | set):
        errors.add("shares", _("Expected a list of items."))
        items = []
    elif any(item not in known for item in items):
        errors.add("shares", _("Unknown item to share."))
    if data.get("consent") is not True:
        errors.add("consent", _("The person must agree to this orientation being sent."))
    errors.raise_if_any()
    cleaned["shared"] = shared_snapshot(entry, sorted(set(items)))
    return cleaned


def _send(orientation: Orientation, template: str, base_url=None) -> None:
    """One e-mail to the receiving service, in its language."""
    with translation.override(orientation.recipient_language):
        context = {
            "orientation": orientation,
            "association": orientation.association.name,
            "target": orientation.target_name(orientation.recipient_language),
            "shared": shared_lines(orientation, orientation.recipient_language),
            "link": link_url(orientation, base_url),
            "valid_until": orientation.sent_at + dt.timedelta(days=LINK_VALID_DAYS),
            "valid_days": LINK_VALID_DAYS,
        }
        subject = " ".join(
            render_to_string(f"orientations/email/{template}_subject.txt", context).split()
        )
        body = render_to_string(f"orientations/email/{template}.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [orientation.recipient_email])
    except (OSError, smtplib.SMTPException):
        # Inside the sending transaction: no mail, no orientation (and no reminder marked).
        raise ValidationError(
            {"recipient_email": [_("The e-mail could not be sent; try again later.")]}
        ) from None


def shared_lines(orientation: Orientation, language: str) -> list[tuple[str, str]]:
    """The consented items as the service reads them: (label, value), in `language`."""
    taxonomy = get_taxonomy()
    lines = []
    languages = dict(settings.LANGUAGES)
    for item, value in sorted(orientation.shared.items()):
        label = Orientation.Share(item).label
        if item == Orientation.Share.PROCEDURE:
            value = taxonomy.label("procedure_domains", value, language)
        elif item == Orientation.Share.LANGUAGE:
            value = languages.get(value, value)
        lines.append((str(label), str(value)))
    return lines


@transaction.atomic
def orientation_send(
    *, association: Association, actor=None, base_url=None, now=None, **fields
) -> Orientation:
    data = orientation_clean(association, {**fields})
    now = now or timezone.now()
    orientation = Orientation.objects.create(
        association=association,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        sent_at=now,
        month=month_of(timezone.localdate(now)),
        **data,
    )
    audit.orientation_sent(orientation=orientation, actor=actor)
    _send(orientation, "request", base_url)
    return orientation


# --- the receiving service's answer ----------------------------------------------------------


@transaction.atomic
def orientation_answer(*, token: str, status: str, reason: str = "", now=None) -> Orientation:
    """Record the receiving service's answer given through the link; raise LinkRefused for a
    link that may no longer be used, ValidationError for an answer that cannot be given."""
    now = now or timezone.now()
    found = orientation_from_link(token, now=now)
    orientation = Orientation.objects.select_for_update().get(pk=found.pk)
    errors = FieldErrors()
    allowed = ANSWERS.get(orientation.status, set())
    if status not in allowed:
        errors.add("status", _("This answer cannot be given now."))
    reason = _text(errors, {"reason": reason}, "reason", required=False, limit=MAX_REASON_LENGTH)
    if status == Status.REFUSED and not reason:
        errors.add("reason", _("Say why the orientation is refused."))
    _scan(errors, "reason", reason)
    errors.raise_if_any()
    orientation.status = status
    orientation.refusal_reason = reason if status == Status.REFUSED else ""
    orientation.answered_at = orientation.answered_at or now
    orientation.updated_at = now
    orientation.save(update_fields=["status", "refusal_reason", "answered_at", "updated_at"])
    audit.orientation_answered(orientation=orientation)
    return orientation


# --- reminders and expiry (beat) -------------------------------------------------------------


def orientations_due_for_reminder(now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        Orientation.objects.filter(
            status=Status.SENT,
            reminded_at__isnull=True,
            sent_at__lte=now - dt.timedelta(days=REMINDER_AFTER_DAYS),
            sent_at__gt=now - dt.timedelta(days=LINK_VALID_DAYS),
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def orientation_remind(*, pk: int, now=None) -> bool:
    """Remind the service once; True when a reminder was sent by this call. Safe to repeat:
    the row is claimed by a conditional update, so a second run (or a second worker) finds it
    reminded already."""
    now = now or timezone.now()
    claimed = Orientation.objects.filter(
        pk=pk,
        status=Status.SENT,
        reminded_at__isnull=True,
        sent_at__lte=now - dt.timedelta(days=REMINDER_AFTER_DAYS),
        sent_at__gt=now - dt.timedelta(days=LINK_VALID_DAYS),
    ).update(reminded_at=now)
    if not claimed:
        return False
    orientation = Orientation.objects.select_related("association", "institution").get(pk=pk)
    _send(orientation, "reminder")
    return True


def orientations_due_for_expiry(now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        Orientation.objects.filter(
            status=Status.SENT, sent_at__lte=now - dt.timedelta(days=LINK_VALID_DAYS)
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def orientation_expire(*, pk: int, now=None) -> bool:
    """Close an orientation left unanswered for LINK_VALID_DAYS; True when this call did."""
    now = now or timezone.now()
    expired = Orientation.objects.filter(
        pk=pk, status=Status.SENT, sent_at__lte=now - dt.timedelta(days=LINK_VALID_DAYS)
    ).update(status=Status.EXPIRED, expired_at=now)
    if expired:
        audit.orientation_expired(orientation=Orientation.objects.get(pk=pk))
    return bool(expired)
