"""Import an association's log from a CSV file (a spreadsheet, or another instance's export).

    manage.py import_entries --org asbl-x log.csv
    manage.py import_entries --org asbl-x log.csv --check     # read and check only

Every row is checked first; one bad row and nothing is written, with each problem on a line
of its own (`line 14, duration_minutes: …`).
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cases.imports import log_file_parse, log_rows_check, log_rows_import
from organisations.models import Association
from rendering.progress import ProgressBar

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "Import entries from a CSV log into an association (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the association's slug")
        parser.add_argument("file", help="a CSV file, comma or semicolon separated, in UTF-8")
        parser.add_argument("--check", action="store_true", help="check the file, write nothing")

    def handle(self, *args, org, file, check, **options):
        association = Association.objects.filter(slug=org).first()
        if association is None:
            raise CommandError(f"org: no association with the slug {org!r}.")
        try:
            content = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"file: {exc.strerror}: {file}") from None

        def write(text):
            self.stdout.write(text, ending="")
            self.stdout.flush()

        try:
            rows = log_file_parse(content)
            if check:
                log_rows_check(association=association, rows=rows)
                self.stdout.write(f"{len(rows)} entries are ready to import into {association}.")
                return
            bar = ProgressBar(write, "Entries", len(rows), "written")
            count = log_rows_import(association=association, rows=rows, on_batch=bar.advance)
            bar.finish()
        except ValidationError as exc:
            raise CommandError(_errors(exc)) from None
        self.stdout.write(f"Imported {count} entries into {association}; the figures follow.")


def _errors(exc: ValidationError) -> str:
    lines = []
    for key, messages in exc.message_dict.items():
        line, _dot, field = key.partition(".")
        place = f"line {line}, {field}" if field else line
        lines.extend(f"{place}: {message}" for message in messages)
    more = len(lines) - SHOWN_ERRORS
    shown = lines[:SHOWN_ERRORS] + ([f"… and {more} more."] if more > 0 else [])
    return "nothing was imported:\n" + "\n".join(shown)
