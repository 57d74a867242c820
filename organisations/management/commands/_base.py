from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class SetupCommand(BaseCommand):
    """A set-up command: one line on success, one line and exit 1 on bad input."""

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
