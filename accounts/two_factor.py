"""Time-based one-time passwords (TOTP, RFC 6238) for directors and analysts, through
django-otp: optional for everyone, required for an association's directors when the
association says so."""

from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisations.models import Role
from organisations.selectors import seat_for_user


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


def pending_device(user) -> TOTPDevice:
    """The device being set up (unconfirmed until a first code is typed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="totp", confirmed=False)
    return device


def device_confirm(*, user, token: str) -> bool:
    device = pending_device(user)
    if not device.verify_token(token.strip()):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
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
