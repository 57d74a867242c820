"""Management commands speak one language per run: the first of the `LANGUAGE` environment
variable (`nl`, `fr_BE`, `nl_BE:nl:en` as gettext reads it) that the project has, English
otherwise. Without this, a command's own sentences and the messages of the code it calls
(validation errors, in the default language of the site) would come in two languages."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

DEFAULT_COMMAND_LANGUAGE = "en"


def command_language(environ=None) -> str:
    environ = os.environ if environ is None else environ
    available = {code for code, _name in settings.LANGUAGES}
    for item in (environ.get("LANGUAGE") or "").split(":"):
        code = item.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
        if code in available:
            return code
    return DEFAULT_COMMAND_LANGUAGE


class TranslatedCommand(BaseCommand):
    """A command whose every message, its own and those of the code it calls, is in the
    language of the run."""

    def run_from_argv(self, argv):
        # From a terminal the options are read before `execute`: their errors too.
        with translation.override(command_language()):
            return super().run_from_argv(argv)

    def execute(self, *args, **options):
        with translation.override(command_language()):
            return super().execute(*args, **options)
