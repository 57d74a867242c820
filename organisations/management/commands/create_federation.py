from organisations.services import federation_create_or_update

from ._base import SetupCommand


class Command(SetupCommand):
    help = "Create a federation, or rename it if the slug exists."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)

    def handle(self, *args, slug, name, **options):
        federation, created = federation_create_or_update(slug=slug, name=name)
        verb = "created" if created else "updated"
        self.stdout.write(f"Federation {federation.slug} {verb}.")
