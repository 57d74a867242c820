"""Memberships are also removed from the admin (no service deletes them): record every
deletion, whoever makes it."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from audit import services

from .models import Membership


@receiver(post_delete, sender=Membership, dispatch_uid="audit-membership-deleted")
def membership_deleted(sender, instance, **kwargs):
    services.membership_deleted(membership=instance)
