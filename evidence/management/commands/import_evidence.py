from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evidence.bundles import BundleRefused, bundle_import


class Command(BaseCommand):
    help = (
        "On the federation's server: verify an evidence bundle (signature, schema, replay) "
        "and add its cells to the federation's aggregates. Exits non-zero with a one-line "
        "reason when the bundle is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"file: {exc.strerror}") from None
        try:
            bundle = bundle_import(data)
        except BundleRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"imported bundle {bundle.bundle_id} of {bundle.source.slug}: "
            f"{bundle.period_start}..{bundle.period_end}, {bundle.cells} cells"
        )
