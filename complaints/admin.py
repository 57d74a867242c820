"""The table of competent bodies, kept by the site administrator: complaints are addressed
from it, so its names and addresses carry the source they were taken from and the day they
were last checked."""

from django.contrib import admin
from django.db import models

from .models import CompetentBody


@admin.register(CompetentBody)
class CompetentBodyAdmin(admin.ModelAdmin):
    list_display = ("level", "name_fr", "name_nl", "postcode", "source_date", "checked_on")
    search_fields = ("name_fr", "name_nl")
    # Bodies publish their sites over HTTPS: a scheme left out is read as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("level", "name_fr", "name_nl")}),
        (None, {"fields": ("street_fr", "street_nl", "postcode", "city_fr", "city_nl")}),
        (None, {"fields": ("email", "website", "source", "source_date", "checked_on")}),
    )
