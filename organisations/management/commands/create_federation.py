from django.utils.translation import gettext as _

from organisations.services import federation_create_or_update

from ._base import SetupCommand


class Command(SetupCommand):
    help = "Create a federation, or rename it if the slug exists."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)

    def handle(self, *args, slug, name, **options):
        federation, created = federation_create_or_update(slug=slug, name=name)
        message = (
            _("Federation %(slug)s created.") if created else _("Federation %(slug)s updated.")
        )
        self.stdout.write(message % {"slug": federation.slug})
