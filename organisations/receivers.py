"""Memberships are also removed from the admin (no service deletes them): record every
deletion, whoever makes it. A new association, however created, gets the default reference
amounts."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from audit import services

from .models import Association, Membership
from .services import reference_amounts_seed


@receiver(post_delete, sender=Membership, dispatch_uid="audit-membership-deleted")
def membership_deleted(sender, instance, **kwargs):
    services.membership_deleted(membership=instance)


@receiver(post_save, sender=Association, dispatch_uid="reference-amounts-seeded")
def association_created(sender, instance, created, raw=False, **kwargs):
    """A new association starts from the default reference amounts (its director edits them)."""
    if created and not raw:
        reference_amounts_seed(association=instance)
