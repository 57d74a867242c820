from demo.seed import demo_logins, format_logins
from rendering.commands import TranslatedCommand


class Command(TranslatedCommand):
    help = "Print the demo logins (created by seed_demo)."

    def handle(self, *args, **options):
        self.stdout.write(format_logins(demo_logins()))
