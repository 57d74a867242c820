"""API tokens end when what they were given for changes (the token rules of the API).

The events belong to the organisations app, which depends on no other app and is changed in
several places (its services, the admin, the create_member command): its models' signals are
the one place where every path passes. Receivers note the change before the save and revoke
after it, so that a save refused by the database revokes nothing.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from organisations.models import Association, Membership, User

from .services import api_tokens_revoke_all, api_tokens_revoke_for_directors

_PASSWORD_CHANGED = "_accounts_password_changed"
_TWO_FACTOR_NOW_REQUIRED = "_accounts_two_factor_now_required"


def _stored(instance, field: str):
    return type(instance).objects.filter(pk=instance.pk).values_list(field, flat=True).first()


def _saves(field: str, instance, update_fields) -> bool:
    """Whether this save of an existing row writes `field`."""
    return instance.pk is not None and (update_fields is None or field in update_fields)


@receiver(pre_save, sender=User, dispatch_uid="accounts-password-change-noted")
def _note_password_change(sender, instance, update_fields=None, raw=False, **kwargs):
    # A login saves only last_login: no query then.
    if not raw and _saves("password", instance, update_fields):
        stored = _stored(instance, "password")
        setattr(instance, _PASSWORD_CHANGED, stored is not None and stored != instance.password)


@receiver(post_save, sender=User, dispatch_uid="accounts-password-change-revokes-tokens")
def _revoke_after_password_change(sender, instance, **kwargs):
    if getattr(instance, _PASSWORD_CHANGED, False):
        setattr(instance, _PASSWORD_CHANGED, False)
        api_tokens_revoke_all(user=instance)


@receiver(pre_save, sender=Association, dispatch_uid="accounts-two-factor-requirement-noted")
def _note_two_factor_requirement(sender, instance, update_fields=None, raw=False, **kwargs):
    if (
        not raw
        and instance.require_two_factor
        and _saves("require_two_factor", instance, update_fields)
    ):
        setattr(
            instance, _TWO_FACTOR_NOW_REQUIRED, _stored(instance, "require_two_factor") is False
        )


@receiver(post_save, sender=Association, dispatch_uid="accounts-two-factor-requirement-revokes")
def _revoke_when_two_factor_becomes_required(sender, instance, **kwargs):
    if getattr(instance, _TWO_FACTOR_NOW_REQUIRED, False):
        setattr(instance, _TWO_FACTOR_NOW_REQUIRED, False)
        api_tokens_revoke_for_directors(association=instance)


@receiver(post_delete, sender=Membership, dispatch_uid="accounts-leaving-revokes-tokens")
def _revoke_after_leaving(sender, instance, **kwargs):
    api_tokens_revoke_all(user=instance.user)
