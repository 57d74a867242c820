"""Writes of the accounts app: API tokens (django-rest-knox) of an account."""

from knox.models import AuthToken


def api_tokens_revoke_all(*, user) -> int:
    """Revoke every API token of `user`; the number revoked.

    Called when what a token was given for changes: a new password, a new second factor,
    the association starting to require one, or leaving an association (see accounts.signals).
    """
    if user.pk is None:
        return 0
    deleted, _ = AuthToken.objects.filter(user_id=user.pk).delete()
    return deleted
