from evidence.bundles import signing_key_get_or_create
from rendering.commands import TranslatedCommand

from ._common import association_or_fail


class Command(TranslatedCommand):
    help = (
        "Make the association's Ed25519 key pair for signing evidence bundles (once; "
        "--rotate makes a new one) and print its public key for the federation to register."
    )

    def add_arguments(self, parser):
        parser.add_argument("--association", help="the association's slug")
        parser.add_argument("--rotate", action="store_true", help="replace the key pair")

    def handle(self, *args, **options):
        association = association_or_fail(options["association"])
        key, _created = signing_key_get_or_create(association=association, rotate=options["rotate"])
        self.stdout.write(key.public_key)
