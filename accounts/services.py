"""Writes of the accounts app: API tokens (django-rest-knox) of an account."""

from knox.models import AuthToken

from organisations.models import Role


def api_tokens_revoke_all(*, user) -> int:
    """Revoke every API token of `user`; the number revoked.

    Called when what a token was given for changes: a new password, a new second factor,
    leaving an association (see accounts.signals).
    """
    if user.pk is None:
        return 0
    deleted, _ = AuthToken.objects.filter(user_id=user.pk).delete()
    return deleted


def api_tokens_revoke_for_directors(*, association) -> int:
    """Revoke the API tokens of the association's directors, when it starts to require a
    second factor from them: their tokens may have been given without one."""
    deleted, _ = AuthToken.objects.filter(
        user__memberships__organisation_id=association.pk,
        user__memberships__role=Role.DIRECTOR,
    ).delete()
    return deleted
