from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from evidence.bundles import MAX_BUNDLE_BYTES, bundle_import_job, job_refusal
from rendering.commands import TranslatedCommand
from workload.models import Job


class Command(TranslatedCommand):
    help = (
        "On the federation's server: verify an evidence bundle (signature, schema, replay) "
        "and add its cells to the federation's aggregates, as a job recorded with its "
        "outcome. Exits 1 with a one-line reason when the bundle is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            with path.open("rb") as file:
                # One byte more than a bundle may hold is enough to refuse it.
                data = file.read(MAX_BUNDLE_BYTES + 1)
        except OSError as exc:
            raise CommandError(_("file: %(reason)s") % {"reason": exc.strerror}) from None
        job = bundle_import_job(data, filename=path.name)
        if job.state != Job.State.SUCCEEDED:
            raise CommandError(job_refusal(job))
        result = job.result
        self.stdout.write(
            _(
                "imported bundle %(bundle)s of %(association)s: %(from)s..%(to)s, "
                "%(cells)s cells (job %(job)s)"
            )
            % {
                "bundle": result["bundle_id"],
                "association": result["association"],
                "from": result["from"],
                "to": result["to"],
                "cells": result["cells"],
                "job": job.pk,
            }
        )
