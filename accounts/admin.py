"""Two-factor devices in the admin: who has one, and removing one for a lost phone. The
secret key is never shown (django-otp's own admin shows it and its QR code)."""

from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .services import api_tokens_revoke_all

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__email",)
    fields = ("user", "name", "confirmed")
    raw_id_fields = ("user",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A second factor turned on here, as on the set-up page, ends the tokens given
        # without it.
        if obj.confirmed and (not change or {"confirmed", "user"} & set(form.changed_data)):
            api_tokens_revoke_all(user=obj.user)
