"""Logging in by e-mail and choosing the interface language."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .models import User

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def _remember_language(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
        samesite="Lax",
    )


class LoginForm(AuthenticationForm):
    """Django's form sets the e-mail's max_length after the field is built, which only renders
    the attribute: check it too, so an overlong login is refused by name before it is tried
    (and before the lockout records it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginView(auth_views.LoginView):
    """Django's login; a user who chose a language other than the default gets it back on any
    computer (the browser's language decides otherwise)."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().preferred_language
        if language in LANGUAGE_CODES and language != settings.LANGUAGE_CODE:
            _remember_language(response, language)
        return response


@require_POST
def language_set(request):
    """Django's set_language (cookie), plus the user's preferred_language when logged in."""
    response = set_language(request)
    language = request.POST.get("language")
    if language in LANGUAGE_CODES and request.user.is_authenticated:
        # A personal preference of the user, not association data: no service needed.
        User.objects.filter(pk=request.user.pk).update(preferred_language=language)
    return response
