from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from organisations.models import Association, Federation


def one_line(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def federation_or_fail(slug: str) -> Federation:
    federation = Federation.objects.filter(slug=slug or "").first()
    if federation is None:
        raise CommandError(_("federation: no federation has the slug %(slug)r") % {"slug": slug})
    return federation


def association_or_fail(slug: str | None) -> Association:
    if not slug:
        associations = list(Association.objects.order_by("pk")[:2])
        if len(associations) == 1:
            return associations[0]
        raise CommandError(_("association: give --association SLUG"))
    association = Association.objects.filter(slug=slug).first()
    if association is None:
        raise CommandError(_("association: no association has the slug %(slug)r") % {"slug": slug})
    return association
