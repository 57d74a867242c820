"""Login throttling (django-axes) that also accepts logins without a request.

Axes needs the request to know the client; a login from a shell, a management command or a
test client has no remote client to throttle, so it is let through to the next backend
instead of failing.
"""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_username(request, credentials) -> str | None:
    """The login typed, whichever form sent it: `username` (web form) or `email` (API)."""
    credentials = credentials or {}
    value = credentials.get("username") or credentials.get("email")
    if not value:
        data = getattr(request, "POST", None) or getattr(request, "data", None) or {}
        value = data.get("username") or data.get("email")
    # The lockout's table keeps 255 characters; whatever was typed, the count is kept.
    return str(value).strip().lower()[:255] if value else None
