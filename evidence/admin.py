from django.contrib import admin

from .models import RemoteAssociation


@admin.register(RemoteAssociation)
class RemoteAssociationAdmin(admin.ModelAdmin):
    """Associations on their own servers: the federation's registered public keys. Turning
    `shares_aggregates` off removes their imported figures from every new aggregate."""

    list_display = ("slug", "name", "federation", "shares_aggregates", "registered_at")
    list_filter = ("federation", "shares_aggregates")
    search_fields = ("slug", "name")
