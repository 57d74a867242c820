"""Time-based one-time passwords (TOTP, RFC 6238) for directors and analysts, through
django-otp: optional for everyone, required for an association's directors when the
association says so.

A session passes the password first and the code second. In between it is *half logged in*:
Django knows the user, but the session has proved only the password, which is all that an
attacker who guessed or read it has. Such a session reaches the code page, the language
switch and the logout, nothing else (accounts.middleware), and above all not the set-up page:
a fresh secret there would let the attacker replace the victim's phone with their own.
"""

from enum import StrEnum

from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisations.models import Role
from organisations.selectors import seat_for_user

from .services import api_tokens_revoke_all


class SessionStage(StrEnum):
    """How far a logged-in session has come through the second factor."""

    # Verified with a code, or no second factor to pass (no device and none required).
    COMPLETE = "complete"
    # Has a device and has not typed its code yet: only the code page and the logout.
    CODE_REQUIRED = "code_required"
    # No device, and the association requires one: only the set-up page and the logout.
    SETUP_REQUIRED = "setup_required"


def confirmed_device(user) -> TOTPDevice | None:
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, TOTPDevice):
            return device
    return None


def two_factor_required(user) -> bool:
    seat = seat_for_user(user)
    return bool(
        seat
        and seat.role == Role.DIRECTOR
        and seat.association is not None
        and seat.association.require_two_factor
    )


def session_stage(user) -> SessionStage:
    """The stage of the session of `user` (request.user, patched by django-otp's middleware:
    is_verified() says whether this session typed a code of a device that still exists)."""
    if not user.is_authenticated or user.is_verified():
        return SessionStage.COMPLETE
    if confirmed_device(user) is not None:
        return SessionStage.CODE_REQUIRED
    if two_factor_required(user):
        return SessionStage.SETUP_REQUIRED
    return SessionStage.COMPLETE


def pending_device(user) -> TOTPDevice:
    """The device being set up (unconfirmed until a first code is typed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="totp", confirmed=False)
    return device


@transaction.atomic
def device_confirm(*, user, token: str) -> bool:
    """Confirm the device being set up with its first code; it replaces any other device.

    Callers let only a complete session get here (see SessionStage). A new second factor
    revokes every API token of the account: tokens obtained before it skipped it.
    """
    device = pending_device(user)
    if not device.verify_token(token.strip()):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    api_tokens_revoke_all(user=user)
    return True


class SecondFactorRefused(Exception):
    """Why a login that has no second step of its own (the API token) is refused:
    `missing` or `invalid` code, or `setup_required` (the association requires two-factor
    and the user has no device yet)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def second_factor_check_for_token(*, user, code: str) -> None:
    """The web's second step, for a user whose password was just checked by the token
    endpoint: a token is as good as a session, so it may not bypass the second factor.

    A user without a confirmed device and without an obligation passes whatever `code` says,
    so that accounts without two-factor keep the plain email-and-password contract.
    """
    device = confirmed_device(user)
    if device is None:
        if two_factor_required(user):
            raise SecondFactorRefused("setup_required")
        return
    code = (code or "").strip()
    if not code:
        raise SecondFactorRefused("missing")
    # verify_token refuses a code already used and slows down repeated wrong codes.
    if not device.verify_token(code):
        raise SecondFactorRefused("invalid")
