from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from rendering.commands import TranslatedCommand


class SetupCommand(TranslatedCommand):
    """A set-up command: one line on success, one line and exit 1 on bad input, in the
    language of the run."""

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except ValidationError as exc:
            raise CommandError(one_line(exc)) from None


def one_line(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)
