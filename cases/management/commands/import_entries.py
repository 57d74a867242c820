"""Import an association's log from a CSV file (a spreadsheet, or another instance's export).

    manage.py import_entries --org asbl-x log.csv
    manage.py import_entries --org asbl-x log.csv --check     # read and check only

Every row is checked first; one bad row and nothing is written, with each problem on a line
of its own (`line 14, column duration_minutes: …`). A file already imported is refused, and
rows already in the log are named and not imported twice.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.imports import log_file_check, log_file_write, problem_lines
from organisations.models import Association
from rendering.commands import TranslatedCommand
from rendering.progress import ProgressBar

SHOWN_ERRORS = 20


class Command(TranslatedCommand):
    help = "Import entries from a CSV log into an association (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the association's slug")
        parser.add_argument("file", help="a CSV file, comma or semicolon separated, in UTF-8")
        parser.add_argument("--check", action="store_true", help="check the file, write nothing")

    def handle(self, *args, org, file, check, **options):
        association = Association.objects.filter(slug=org).first()
        if association is None:
            raise CommandError(_("org: no association with the slug %(slug)r.") % {"slug": org})
        try:
            content = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(
                _("file: %(reason)s: %(file)s") % {"reason": exc.strerror, "file": file}
            ) from None

        def write(text):
            self.stdout.write(text, ending="")
            self.stdout.flush()

        try:
            checked = log_file_check(association=association, content=content)
            if checked.already_there:
                self.stdout.write(already_there(checked.already_there))
            if check:
                self.stdout.write(
                    ngettext(
                        "%(count)d entry is ready to import into %(association)s.",
                        "%(count)d entries are ready to import into %(association)s.",
                        len(checked.rows),
                    )
                    % {"count": len(checked.rows), "association": association}
                )
                return
            bar = ProgressBar(write, _("Entries"), len(checked.rows), _("written"))
            count = log_file_write(
                association=association,
                checked=checked,
                filename=Path(file).name,
                on_batch=bar.advance,
            )
            bar.finish()
        except ValidationError as exc:
            raise CommandError(_errors(exc)) from None
        self.stdout.write(
            ngettext(
                "Imported %(count)d entry into %(association)s; the figures follow.",
                "Imported %(count)d entries into %(association)s; the figures follow.",
                count,
            )
            % {"count": count, "association": association}
        )


def already_there(lines: list[int]) -> str:
    return ngettext(
        "Already in the log, not imported again: line %(lines)s.",
        "Already in the log, not imported again: lines %(lines)s.",
        len(lines),
    ) % {"lines": ", ".join(map(str, lines))}


def _errors(exc: ValidationError) -> str:
    lines = problem_lines(exc)
    more = len(lines) - SHOWN_ERRORS
    shown = lines[:SHOWN_ERRORS]
    if more > 0:
        shown.append(_("… and %(count)d more.") % {"count": more})
    return _("nothing was imported:") + "\n" + "\n".join(shown)
