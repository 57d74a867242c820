from django.core.management.base import BaseCommand

from demo.seed import demo_logins, format_logins


class Command(BaseCommand):
    help = "Print the demo logins (created by seed_demo)."

    def handle(self, *args, **options):
        self.stdout.write(format_logins(demo_logins()))
