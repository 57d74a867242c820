"""Staff admin of the contact-attempt diary: every save and delete goes through the services,
so an attempt changed here gets its derived columns, its audit event and its dirty months as
one saved on the worker's page."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from cases.admin import ServiceCheckedForm, add_service_errors, become_saved, code_field

from .fields import ATTEMPT_FIELDS
from .models import ContactAttempt
from .services import (
    contact_attempt_clean,
    contact_attempt_create,
    contact_attempt_delete,
    contact_attempt_update,
)

FIELDS = (*(f.name for f in ATTEMPT_FIELDS), "assistance_request")


class ContactAttemptForm(ServiceCheckedForm):
    institution_kind = code_field("referrer_types", required=False)
    channel = code_field("attempt_channels")
    result = code_field("attempt_results")

    class Meta:
        model = ContactAttempt
        fields = ("association", *FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def check_with_service(self, association, cleaned):
        data = {name: cleaned.get(name) for name in FIELDS}
        try:
            data = contact_attempt_clean(association, data)
        except ValidationError as exc:
            add_service_errors(self, exc)
            return
        cleaned.update(data)


@admin.register(ContactAttempt)
class ContactAttemptAdmin(admin.ModelAdmin):
    form = ContactAttemptForm
    list_display = (
        "occurred_on",
        "association",
        "institution_kind",
        "institution",
        "channel",
        "result",
        "waited_minutes",
    )
    list_filter = ("result", "channel", "association")
    date_hierarchy = "occurred_on"
    raw_id_fields = ("assistance_request",)
    autocomplete_fields = ("association", "institution")
    readonly_fields = ("created_by", "created_at", "updated_at")
    list_select_related = ("association", "institution")

    def get_readonly_fields(self, request, obj=None):
        fields = self.readonly_fields
        return (*fields, "association") if obj is not None else fields

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data.get(name) for name in FIELDS}
        if change:
            stored = ContactAttempt.objects.get(pk=obj.pk)
            saved = contact_attempt_update(attempt=stored, actor=request.user, **fields)
        else:
            saved = contact_attempt_create(
                association=form.cleaned_data["association"], actor=request.user, **fields
            )
        become_saved(obj, saved)

    def delete_model(self, request, obj):
        contact_attempt_delete(attempt=obj, actor=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for attempt in queryset:
            contact_attempt_delete(attempt=attempt, actor=request.user)
