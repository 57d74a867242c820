from django.utils.translation import gettext as _

from organisations.services import association_create_or_update

from ._base import SetupCommand


class Command(SetupCommand):
    help = (
        "Create an association, or update its name; with --federation it joins that "
        "federation and shares its aggregates with it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--federation", default=None, metavar="FED_SLUG")

    def handle(self, *args, slug, name, federation, **options):
        association, created = association_create_or_update(
            slug=slug, name=name, federation_slug=federation
        )
        values = {"slug": association.slug, "federation": federation}
        if federation:
            message = (
                _("Association %(slug)s created, member of %(federation)s.")
                if created
                else _("Association %(slug)s updated, member of %(federation)s.")
            )
        else:
            message = (
                _("Association %(slug)s created.")
                if created
                else _("Association %(slug)s updated.")
            )
        self.stdout.write(message % values)
