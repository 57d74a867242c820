"""Staff admin for the institution registry and the referrals out."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from privacy import identifiers
from taxonomy import get_taxonomy

from .models import INSTITUTION_KINDS, Institution, Referral
from .services import institution_retire, institution_validate


def _institution_kind_choices():
    taxonomy = get_taxonomy()
    language = get_language() or "fr"
    return [(code, taxonomy.label("referrer_types", code, language)) for code in INSTITUTION_KINDS]


class InstitutionForm(forms.ModelForm):
    kind = forms.ChoiceField(choices=_institution_kind_choices)

    class Meta:
        model = Institution
        fields = (
            "name",
            "name_fr",
            "name_nl",
            "name_de",
            "name_en",
            "kind",
            "street",
            "postcode",
            "region",
            "key",
            "code",
            "source",
            "added_by",
        )
        help_texts = {
            "key": _(
                "The registry's identifier (nis:, cpas: or a slug). manage.py load_registry "
                "writes the registry's bodies again from referrals/data/: change them there."
            ),
        }

    def clean_name(self):
        name = self.cleaned_data["name"]
        if identifiers.scan(name):
            raise forms.ValidationError(_("This name holds a personal identifier."))
        return name


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    form = InstitutionForm
    list_display = (
        "name",
        "kind",
        "postcode",
        "region",
        "key",
        "code",
        "added_by",
        "created_at",
        "validated_at",
        "retired_at",
        "merged_into",
    )
    list_filter = ("kind", "region", ("validated_at", admin.EmptyFieldListFilter), "retired_at")
    readonly_fields = (
        "municipality",
        "acronyms",
        "aliases",
        "validated_at",
        "retired_at",
        "merged_into",
    )
    actions = ["validate_for_everyone", "retire"]
    search_fields = ("name", "postcode", "code", "key", "search_text")
    autocomplete_fields = ("added_by",)
    list_select_related = ("added_by",)
    ordering = ("name",)

    @admin.action(description=_("Validate for the shared registry"))
    def validate_for_everyone(self, request, queryset):
        self._each(request, queryset, institution_validate)

    @admin.action(description=_("Retire (no longer offered; entries keep it)"))
    def retire(self, request, queryset):
        self._each(request, queryset, institution_retire)

    def _each(self, request, queryset, service):
        done = 0
        for institution in queryset:
            try:
                service(institution=institution, actor=request.user)
                done += 1
            except ValidationError as error:
                self.message_user(request, f"{institution}: {error.messages[0]}", messages.ERROR)
        self.message_user(request, _("%(count)d bodies updated.") % {"count": done})


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = (
            "association",
            "assistance_request",
            "referred_on",
            "destination",
            "institution",
            "status",
            "notes",
        )

    def clean(self):
        cleaned = super().clean()
        association, entry = cleaned.get("association"), cleaned.get("assistance_request")
        if association is not None and entry is not None and entry.association_id != association.pk:
            self.add_error("assistance_request", _("This entry belongs to another association."))
        return cleaned


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    form = ReferralForm
    list_display = ("referred_on", "association", "destination", "status", "institution")
    list_filter = ("destination", "status", "referred_on")
    search_fields = ("association__name", "institution__name", "notes")
    date_hierarchy = "referred_on"
    autocomplete_fields = ("association", "institution")
    raw_id_fields = ("assistance_request",)
    list_select_related = ("association", "institution")
    ordering = ("-referred_on", "-id")
