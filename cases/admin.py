"""Staff admin for the log: persons, assistance requests (with barriers and sensitive flags) and
incident sheets.

Writes keep the rules of `cases.services`: the same validation, the institution's kind wins
over a typed kind, the derived columns (`month`, `procedure_root`, `has_*`) are recomputed and
the workload app is told which months changed.
"""

from collections import defaultdict

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from taxonomy import get_taxonomy, procedure_root

from .models import (
    LANGUAGE_CODES,
    AssistanceRequest,
    IncidentSheet,
    Person,
    RequestBarrier,
    RequestSensitiveFlag,
)
from .services import INCIDENT_FIELDS, assistance_request_clean, month_of, person_clean
from .signals import assistance_requests_changed


def _choices(section, blank=True):
    """Choices of a taxonomy section, labelled in the active language (evaluated lazily)."""

    def choices():
        taxonomy = get_taxonomy()
        language = get_language() or "fr"
        options = [
            (code, f"{code} — {label}") for code, label in taxonomy.choices(section, language)
        ]
        return [("", "---------"), *options] if blank else options

    return choices


def _code_field(section, required=True, label=None):
    return forms.ChoiceField(choices=_choices(section), required=required, label=label)


def _taxonomy_filter(field, section, title):
    """A list filter over the taxonomy's codes (no DISTINCT scan of a large log)."""

    class TaxonomyFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return get_taxonomy().choices(section, get_language() or "fr")

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(**{field: self.value()})
            return queryset

    TaxonomyFilter.title = title
    return TaxonomyFilter


def _add_service_errors(form, exc: ValidationError):
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def _notify(association_id, months):
    months = {m for m in months if m}
    if months:
        assistance_requests_changed.send(
            sender=AssistanceRequest, association_id=association_id, months=months
        )


# --- Persons ---------------------------------------------------------------------------------


class PersonForm(forms.ModelForm):
    language = forms.ChoiceField(choices=[(code, code) for code in LANGUAGE_CODES], initial="fr")

    class Meta:
        model = Person
        fields = ("association", "code", "birth_year", "postcode", "language")

    def clean(self):
        cleaned = super().clean()
        association = cleaned.get("association") or (
            self.instance.association if self.instance.association_id else None
        )
        if association is None or self.errors:
            return cleaned
        data = {
            field: cleaned.get(field) for field in ("code", "birth_year", "postcode", "language")
        }
        instance = self.instance if self.instance.pk else None
        try:
            cleaned.update(person_clean(association, data, instance=instance))
        except ValidationError as exc:
            _add_service_errors(self, exc)
        return cleaned


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Only the pseudonymous record: code, birth year, postcode, language."""

    form = PersonForm
    fields = ("association", "code", "birth_year", "postcode", "language")
    list_display = ("code", "association", "birth_year", "postcode", "language")
    list_filter = ("language", "association")
    search_fields = ("code", "postcode")
    autocomplete_fields = ("association",)
    list_select_related = ("association",)
    ordering = ("association", "code")

    def get_readonly_fields(self, request, obj=None):
        # A person's entries stay in their association: the association never changes.
        return ("association",) if obj is not None else ()


# --- Assistance requests ---------------------------------------------------------------------


class AssistanceRequestForm(forms.ModelForm):
    channel = _code_field("channels", label=_("channel"))
    procedure_domain = _code_field("procedure_domains", label=_("procedure"))
    referrer_kind = _code_field("referrer_types", required=False, label=_("referred by (kind)"))
    responsible_kind = _code_field(
        "referrer_types", required=False, label=_("responsible body (kind)")
    )
    mode = _code_field("assistance_modes", label=_("assistance mode"))
    outcome = _code_field("outcomes", label=_("outcome"))
    consent = _code_field("consent_types", label=_("consent"))

    class Meta:
        model = AssistanceRequest
        fields = (
            "association",
            "occurred_on",
            "duration_minutes",
            "channel",
            "procedure_domain",
            "referrer_kind",
            "referred_by",
            "responsible_kind",
            "responsible_institution",
            "mode",
            "outcome",
            "consent",
            "person",
            "notes",
        )

    def clean(self):
        cleaned = super().clean()
        association = cleaned.get("association") or (
            self.instance.association if self.instance.association_id else None
        )
        if association is None or self.errors:
            return cleaned
        # Barriers and flags are the inlines' business (see SensitiveFlagFormSet).
        data = {
            field: cleaned.get(field)
            for field in self._meta.fields
            if field != "association" and field in self.fields
        }
        try:
            data = assistance_request_clean(association, data)
        except ValidationError as exc:
            _add_service_errors(self, exc)
            return cleaned
        # The institution's kind wins over a kind typed by hand.
        for field in ("referrer_kind", "responsible_kind", "notes"):
            cleaned[field] = data[field]
        return cleaned


class RequestBarrierForm(forms.ModelForm):
    code = _code_field("digital_barriers", label=_("barrier"))

    class Meta:
        model = RequestBarrier
        fields = ("code",)


class RequestBarrierInline(admin.TabularInline):
    model = RequestBarrier
    form = RequestBarrierForm
    extra = 0
    verbose_name = _("digital barrier")
    verbose_name_plural = _("digital barriers")


class SensitiveFlagFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        flagged = any(
            form.cleaned_data.get("code") and not form.cleaned_data.get("DELETE")
            for form in self.forms
            if hasattr(form, "cleaned_data")
        )
        if flagged and self.instance.consent == "not_applicable":
            raise ValidationError(
                _("Sensitive data was handled: record the consent given (written, oral or none).")
            )


class RequestSensitiveFlagForm(forms.ModelForm):
    code = _code_field("sensitive_data_flags", label=_("sensitive data"))

    class Meta:
        model = RequestSensitiveFlag
        fields = ("code",)


class RequestSensitiveFlagInline(admin.TabularInline):
    model = RequestSensitiveFlag
    form = RequestSensitiveFlagForm
    formset = SensitiveFlagFormSet
    extra = 0
    verbose_name = _("sensitive data flag")
    verbose_name_plural = _("sensitive data flags")


@admin.register(AssistanceRequest)
class AssistanceRequestAdmin(admin.ModelAdmin):
    form = AssistanceRequestForm
    inlines = [RequestBarrierInline, RequestSensitiveFlagInline]
    list_display = (
        "occurred_on",
        "association",
        "procedure_domain",
        "duration_minutes",
        "channel",
        "mode",
        "outcome",
        "person",
        "has_barrier",
        "has_sensitive_flag",
    )
    list_filter = (
        "association",
        _taxonomy_filter("procedure_root", "procedure_domains", _("procedure")),
        _taxonomy_filter("channel", "channels", _("channel")),
        _taxonomy_filter("mode", "assistance_modes", _("assistance mode")),
        _taxonomy_filter("outcome", "outcomes", _("outcome")),
        _taxonomy_filter("consent", "consent_types", _("consent")),
        "has_barrier",
        "has_once_only",
        "has_sensitive_flag",
    )
    search_fields = ("=person__code", "^procedure_domain", "notes")
    date_hierarchy = "occurred_on"
    raw_id_fields = ("person", "created_by")
    autocomplete_fields = ("association", "referred_by", "responsible_institution")
    readonly_fields = ("created_by", "month", "procedure_root", "created_at", "updated_at")
    list_select_related = ("association", "person")
    show_full_result_count = False
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("association", "occurred_on", "duration_minutes", "channel")}),
        (
            _("procedure"),
            {
                "fields": (
                    "procedure_domain",
                    "referrer_kind",
                    "referred_by",
                    "responsible_kind",
                    "responsible_institution",
                )
            },
        ),
        (_("outcome"), {"fields": ("mode", "outcome", "consent", "person", "notes")}),
        (
            _("record"),
            {"fields": ("created_by", "month", "procedure_root", "created_at", "updated_at")},
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = self.readonly_fields
        # An entry stays in its association (its person and its months belong there).
        return (*fields, "association") if obj is not None else fields

    def save_model(self, request, obj, form, change):
        obj._previous_month = (
            AssistanceRequest.objects.filter(pk=obj.pk).values_list("month", flat=True).first()
            if change
            else None
        )
        if not change:
            obj.created_by = request.user
        obj.month = month_of(obj.occurred_on)
        obj.procedure_root = procedure_root(obj.procedure_domain)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        barriers = set(obj.barriers.values_list("code", flat=True))
        obj.has_barrier = bool(barriers)
        obj.has_once_only = "once_only" in barriers
        obj.has_sensitive_flag = obj.sensitive_flags.exists()
        obj.save(update_fields=["has_barrier", "has_once_only", "has_sensitive_flag"])
        _notify(obj.association_id, {getattr(obj, "_previous_month", None), obj.month})

    def delete_model(self, request, obj):
        association_id, month = obj.association_id, obj.month
        super().delete_model(request, obj)
        _notify(association_id, {month})

    def delete_queryset(self, request, queryset):
        months = defaultdict(set)
        for association_id, month in queryset.values_list("association_id", "month").distinct():
            months[association_id].add(month)
        super().delete_queryset(request, queryset)
        for association_id, changed in months.items():
            _notify(association_id, changed)


# --- Incident sheets -------------------------------------------------------------------------


class IncidentSheetForm(forms.ModelForm):
    procedure_domain = _code_field("procedure_domains", required=False, label=_("procedure"))
    responsible_kind = _code_field(
        "referrer_types", required=False, label=_("responsible body (kind)")
    )
    barriers = forms.MultipleChoiceField(
        choices=_choices("digital_barriers", blank=False),
        required=False,
        label=_("barriers"),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    class Meta:
        model = IncidentSheet
        fields = ("association", *INCIDENT_FIELDS)

    def clean_barriers(self):
        return sorted(set(self.cleaned_data.get("barriers") or []))

    def clean(self):
        cleaned = super().clean()
        institution = cleaned.get("responsible_institution")
        if institution is not None:
            cleaned["responsible_kind"] = institution.kind
        association = cleaned.get("association") or (
            self.instance.association if self.instance.association_id else None
        )
        entries = cleaned.get("entries")
        if association is not None and entries is not None:
            if any(entry.association_id != association.pk for entry in entries):
                self.add_error("entries", _("Unknown entry."))
        return cleaned


@admin.register(IncidentSheet)
class IncidentSheetAdmin(admin.ModelAdmin):
    form = IncidentSheetForm
    list_display = (
        "occurred_on",
        "title",
        "association",
        "procedure_domain",
        "responsible_kind",
        "shared",
    )
    list_filter = (
        "shared",
        "association",
        _taxonomy_filter("responsible_kind", "referrer_types", _("responsible body (kind)")),
    )
    search_fields = ("title", "narrative")
    date_hierarchy = "occurred_on"
    raw_id_fields = ("entries", "created_by")
    autocomplete_fields = ("association", "responsible_institution")
    readonly_fields = ("created_by", "created_at", "updated_at")
    list_select_related = ("association",)

    def get_readonly_fields(self, request, obj=None):
        fields = self.readonly_fields
        return (*fields, "association") if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
