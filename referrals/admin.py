"""Staff admin for the institution registry and the referrals out."""

from django import forms
from django.contrib import admin
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from taxonomy import get_taxonomy

from .models import INSTITUTION_KINDS, Institution, Referral


def _institution_kind_choices():
    taxonomy = get_taxonomy()
    language = get_language() or "fr"
    return [(code, taxonomy.label("referrer_types", code, language)) for code in INSTITUTION_KINDS]


class InstitutionForm(forms.ModelForm):
    kind = forms.ChoiceField(choices=_institution_kind_choices)

    class Meta:
        model = Institution
        fields = ("name", "kind", "postcode", "code", "added_by")


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    form = InstitutionForm
    list_display = ("name", "kind", "postcode", "code", "added_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "postcode", "code")
    autocomplete_fields = ("added_by",)
    list_select_related = ("added_by",)
    ordering = ("name",)


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
