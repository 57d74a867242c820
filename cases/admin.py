"""Staff admin for the log: persons, assistance requests (with barriers and sensitive flags) and
incident sheets.

Entries and persons are validated with the public clean functions of `cases.services` and
written by its services, so an entry saved or deleted here gets its derived columns, its
audit event and its dirty months exactly as one saved on the worker's page.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from taxonomy import get_taxonomy

from .entry_fields import BY_NAME, ENTRY_FIELDS, Group, Kind, fields_of
from .models import LANGUAGE_CODES, AssistanceRequest, IncidentSheet, Person
from .services import (
    INCIDENT_FIELDS,
    assistance_request_clean,
    assistance_request_create,
    assistance_request_delete,
    assistance_request_update,
    person_clean,
    person_create,
    person_update,
)


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


def code_field(section, required=True, label=None):
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


def add_service_errors(form, exc: ValidationError):
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def _association_of(form, cleaned):
    """The association a row is for: chosen on creation, its own once it exists."""
    return cleaned.get("association") or (
        form.instance.association if form.instance.association_id else None
    )


class ServiceCheckedForm(forms.ModelForm):
    """A row the admin saves only once the service's clean function accepts it (the same
    rules as the worker's page), its errors shown on the fields they name."""

    def clean(self):
        cleaned = super().clean()
        association = _association_of(self, cleaned)
        if association is not None and not self.errors:
            self.check_with_service(association, cleaned)
        return cleaned

    def check_with_service(self, association, cleaned) -> None:
        raise NotImplementedError


def become_saved(obj, saved) -> None:
    """The admin answers (message, history, redirect) with the object its form built: make it
    the row the service wrote."""
    obj.pk = saved.pk
    obj.refresh_from_db()
    obj._state.adding = False


# --- Persons ---------------------------------------------------------------------------------


class PersonForm(ServiceCheckedForm):
    language = forms.ChoiceField(choices=[(code, code) for code in LANGUAGE_CODES], initial="fr")

    class Meta:
        model = Person
        fields = ("association", "code", "birth_year", "postcode", "language")

    def check_with_service(self, association, cleaned):
        data = {
            field: cleaned.get(field) for field in ("code", "birth_year", "postcode", "language")
        }
        instance = self.instance if self.instance.pk else None
        try:
            cleaned.update(person_clean(association, data, instance=instance))
        except ValidationError as exc:
            add_service_errors(self, exc)


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

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data.get(name) for name in form.fields if name != "association"
        }
        if change:
            stored = Person.objects.get(pk=obj.pk)  # as it was: the trail names what changed
            saved = person_update(person=stored, actor=request.user, **fields)
        else:
            saved = person_create(
                association=form.cleaned_data["association"], actor=request.user, **fields
            )
        become_saved(obj, saved)


# --- Assistance requests ---------------------------------------------------------------------


# The entry's own columns (a many-valued field is an inline of its child table, below).
ENTRY_COLUMNS = tuple(f.name for f in ENTRY_FIELDS if f.kind is not Kind.CODES)


def _entry_form_class():
    """The admin's entry form: a control per column of the field list, codes labelled."""
    codes = {
        f.name: code_field(f.section, not f.optional_code, f.label) for f in fields_of(Kind.CODE)
    }
    meta = type("Meta", (), {"model": AssistanceRequest, "fields": ("association", *ENTRY_COLUMNS)})
    return type("EntryFieldsAdminForm", (ServiceCheckedForm,), {**codes, "Meta": meta})


class AssistanceRequestForm(_entry_form_class()):
    def check_with_service(self, association, cleaned):
        # Barriers and flags are the inlines' business (see SensitiveFlagFormSet).
        data = {
            field: cleaned.get(field)
            for field in self._meta.fields
            if field != "association" and field in self.fields
        }
        try:
            data = assistance_request_clean(association, data)
        except ValidationError as exc:
            add_service_errors(self, exc)
            return
        # What the service checked is what is saved (a body's kind wins over a kind typed by
        # hand).
        cleaned.update({name: data[name] for name in ENTRY_COLUMNS if name in data})


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


# A many-valued field whose codes must agree with the entry's columns checks them before the
# entry is written (the service writes the entry and its codes in one call, after the inlines).
CODES_FORMSETS = {"sensitive_flags": SensitiveFlagFormSet}


def _codes_inline(f):
    """The inline of one many-valued field: a row per code in its child table."""
    model = AssistanceRequest._meta.get_field(f.name).related_model
    meta = type("Meta", (), {"model": model, "fields": ("code",)})
    form = type(
        f"{model.__name__}Form",
        (forms.ModelForm,),
        {
            "code": code_field(f.section, label=f.label),
            "Meta": meta,
        },
    )
    return type(
        f"{model.__name__}Inline",
        (admin.TabularInline,),
        {
            "model": model,
            "form": form,
            "formset": CODES_FORMSETS.get(f.name, forms.BaseInlineFormSet),
            "extra": 0,
            "verbose_name": f.label,
            "verbose_name_plural": f.label,
        },
    )


CODES_INLINES = {f.name: _codes_inline(f) for f in fields_of(Kind.CODES)}
# The service's field for each inline's codes.
INLINE_FIELDS = {inline.model: name for name, inline in CODES_INLINES.items()}


def _entry_fieldsets():
    """The entry's columns grouped as the worker goes through them, then the record's."""
    groups = {group: [] for group in Group}
    for name in ENTRY_COLUMNS:
        groups[BY_NAME[name].group].append(name)
    return (
        (None, {"fields": ("association", *groups[Group.WHEN])}),
        (_("procedure"), {"fields": tuple(groups[Group.PROCEDURE])}),
        (_("outcome"), {"fields": tuple(groups[Group.OUTCOME])}),
        (_("rights"), {"fields": tuple(groups[Group.RIGHTS])}),
        (
            _("record"),
            {"fields": ("created_by", "month", "procedure_root", "created_at", "updated_at")},
        ),
    )


@admin.register(AssistanceRequest)
class AssistanceRequestAdmin(admin.ModelAdmin):
    form = AssistanceRequestForm
    inlines = list(CODES_INLINES.values())
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
    autocomplete_fields = ("association", *(f.name for f in fields_of(Kind.INSTITUTION)))
    readonly_fields = ("created_by", "month", "procedure_root", "created_at", "updated_at")
    list_select_related = ("association", "person")
    show_full_result_count = False
    list_per_page = 50
    fieldsets = _entry_fieldsets()

    def get_readonly_fields(self, request, obj=None):
        fields = self.readonly_fields
        # An entry stays in its association (its person and its months belong there).
        return (*fields, "association") if obj is not None else fields

    def save_model(self, request, obj, form, change):
        """Nothing yet: the entry is written in `save_related`, once the inlines' barriers and
        flags are known, by one call of the service."""

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        fields = {
            name: form.cleaned_data.get(name) for name in form.fields if name != "association"
        }
        for formset in formsets:
            # Unsaved, so that the history message can still list what the inlines changed.
            formset.save(commit=False)
            fields[INLINE_FIELDS[formset.model]] = sorted(
                {
                    inline.cleaned_data["code"]
                    for inline in formset.forms
                    if inline.cleaned_data.get("code") and inline not in formset.deleted_forms
                }
            )
        if change:
            # As stored, not as the form changed it: the trail and the months moved come from it.
            stored = AssistanceRequest.objects.get(pk=obj.pk)
            saved = assistance_request_update(entry=stored, actor=request.user, **fields)
        else:
            saved = assistance_request_create(
                association=form.cleaned_data["association"], actor=request.user, **fields
            )
        become_saved(obj, saved)

    def delete_model(self, request, obj):
        assistance_request_delete(entry=obj, actor=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for entry in queryset:
            assistance_request_delete(entry=entry, actor=request.user)


# --- Incident sheets -------------------------------------------------------------------------


class IncidentSheetForm(forms.ModelForm):
    procedure_domain = code_field("procedure_domains", required=False, label=_("procedure"))
    responsible_kind = code_field(
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
        association = _association_of(self, cleaned)
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
