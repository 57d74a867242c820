from django.utils.translation import gettext as _

from organisations.services import member_create_or_update

from ._base import SetupCommand


class Command(SetupCommand):
    help = "Give a person (by email) a role in an association or a federation."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, metavar="SLUG")
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, help="worker, director or analyst")
        parser.add_argument("--password", required=True)

    def handle(self, *args, org, email, role, password, **options):
        membership, created = member_create_or_update(
            org_slug=org, email=email, role=role, password=password
        )
        message = (
            _("Member %(email)s (%(role)s) of %(organisation)s created.")
            if created
            else _("Member %(email)s (%(role)s) of %(organisation)s updated.")
        )
        values = {
            "email": membership.user.email,
            "role": membership.role,
            "organisation": membership.organisation.slug,
        }
        self.stdout.write(message % values)
