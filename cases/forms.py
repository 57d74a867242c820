"""The worker's forms: parse what the browser sends, then leave every rule to the services.

The forms only turn strings into dates, numbers, codes and objects; `cases.services` decides
what is valid, so that the page, the API and imports accept exactly the same entries. Their
options and labels come from `cases.presentation`.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from referrals.models import Institution
from referrals.selectors import institutions_search

from . import presentation
from .models import AssistanceRequest
from .presentation import code_choices, grouped_options, page_language, procedure_choices

QUICK_DURATIONS = (5, 10, 15, 30, 45, 60)
# What the worker chose after being warned of an identifier in free text.
IDENTIFIER_ACTIONS = (("", ""), ("mask", "mask"), ("keep", "keep"))

# Fields whose service error is shown next to another control of the form.
SERVICE_FIELD_TO_FORM_FIELD = {
    "referred_by": "referred_by_search",
    "responsible_institution": "responsible_search",
    "person": "person_code",
    "code": "person_code",
    "language": "person_language",
}


def show_errors_under(form, under: dict) -> None:
    """Move the errors of controls the page shows no error for (a hidden id, a button) to the
    field the worker sees, so that a refused form always says what to fix."""
    for hidden, visible in under.items():
        for message in form._errors.pop(hidden, []):
            form.add_error(visible, message)


def institution_search(
    query: str, limit: int = 10, *, association_id: int | None, language: str
) -> list[Institution]:
    """The bodies of the registry the association may choose that match what was typed, best
    matches first (referrals.selectors.institutions_search)."""
    return institutions_search(
        query=query, association_id=association_id, language=language, limit=limit
    )


class InstitutionField(forms.CharField):
    """The id of a registry institution, chosen in the search list (a hidden input)."""

    widget = forms.HiddenInput

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return Institution.objects.get(pk=int(value))
        except (ValueError, Institution.DoesNotExist):
            raise forms.ValidationError(_("Unknown institution.")) from None


class EntryForm(forms.Form):
    """One log entry, in the order the worker goes through it."""

    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 1440}),
    )
    procedure_domain = forms.ChoiceField(label=_("Procedure"))
    referred_by = InstitutionField(required=False)
    referred_by_search = forms.CharField(label=_("Referred by"), required=False, max_length=200)
    referrer_kind = forms.ChoiceField(label=_("Kind of referrer"), required=False)
    responsible_same = forms.BooleanField(label=_("Same as referrer"), required=False)
    responsible_institution = InstitutionField(required=False)
    responsible_search = forms.CharField(
        label=_("Responsible body"), required=False, max_length=200
    )
    responsible_kind = forms.ChoiceField(label=_("Kind of responsible body"), required=False)
    barriers = forms.MultipleChoiceField(label=_("Digital barriers"), required=False)
    mode = forms.ChoiceField(label=_("Assistance mode"))
    outcome = forms.ChoiceField(label=_("Outcome"))
    consent = forms.ChoiceField(label=_("Consent"))
    channel = forms.ChoiceField(label=_("Channel"))
    sensitive_flags = forms.MultipleChoiceField(label=_("Sensitive data handled"), required=False)
    person_code = forms.CharField(label=_("Person (code)"), required=False, max_length=30)
    person_language = forms.ChoiceField(label=_("Language of the person"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    identifiers_action = forms.ChoiceField(choices=IDENTIFIER_ACTIONS, required=False)

    ERRORS_SHOWN_UNDER = {
        "referred_by": "referred_by_search",
        "responsible_institution": "responsible_search",
        "identifiers_action": "notes",
    }

    def __init__(self, *args, usual=None, association_id=None, **kwargs):
        self.usual = usual or {}
        self.association_id = association_id
        super().__init__(*args, **kwargs)
        f = self.fields
        f["procedure_domain"].choices = procedure_choices()
        f["referrer_kind"].choices = code_choices("referrer_types", blank=True)
        f["responsible_kind"].choices = code_choices("referrer_types", blank=True)
        f["barriers"].choices = code_choices("digital_barriers")
        f["sensitive_flags"].choices = code_choices("sensitive_data_flags")
        for name, section in (
            ("mode", "assistance_modes"),
            ("outcome", "outcomes"),
            ("consent", "consent_types"),
            ("channel", "channels"),
        ):
            f[name].choices = code_choices(section)
        f["person_language"].choices = presentation.person_language_choices()
        if not self.is_bound:
            self.initial.setdefault("occurred_on", timezone.localdate())
            for name in ("mode", "outcome", "consent", "channel"):
                if self.usual.get(name):
                    self.initial.setdefault(name, self.usual[name])
            self.initial.setdefault("person_language", page_language())

    def clean(self):
        data = super().clean()
        for hidden, search in (
            ("referred_by", "referred_by_search"),
            ("responsible_institution", "responsible_search"),
        ):
            # Without JavaScript the worker types a name: take it when it names one body.
            if data.get(hidden) is None and (data.get(search) or "").strip():
                matches = institution_search(
                    data[search],
                    limit=2,
                    association_id=self.association_id,
                    language=page_language(),
                )
                if len(matches) == 1:
                    data[hidden] = matches[0]
                else:
                    self.add_error(
                        search,
                        _("Choose an institution from the list, or leave empty and pick a kind."),
                    )
        if data.get("responsible_same"):
            data["responsible_institution"] = data.get("referred_by")
            data["responsible_kind"] = data.get("referrer_kind")
        show_errors_under(self, self.ERRORS_SHOWN_UNDER)
        return data

    def service_fields(self) -> dict:
        """The cleaned values as `assistance_request_create` takes them (person aside)."""
        data = self.cleaned_data
        return {
            "occurred_on": data.get("occurred_on"),
            "duration_minutes": data.get("duration_minutes"),
            "channel": data.get("channel"),
            "procedure_domain": data.get("procedure_domain"),
            "referrer_kind": data.get("referrer_kind") or None,
            "referred_by": data.get("referred_by"),
            "responsible_kind": data.get("responsible_kind") or None,
            "responsible_institution": data.get("responsible_institution"),
            "barriers": list(data.get("barriers") or []),
            "mode": data.get("mode"),
            "outcome": data.get("outcome"),
            "consent": data.get("consent"),
            "sensitive_flags": list(data.get("sensitive_flags") or []),
            "notes": data.get("notes") or "",
        }

    def add_service_errors(self, error):
        for field, messages in error.message_dict.items():
            name = SERVICE_FIELD_TO_FORM_FIELD.get(field, field)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    # --- what the template needs -----------------------------------------------------------

    def chips(self, name: str) -> tuple[list, list]:
        """(shown, more) chips of a multiple choice: the worker's usual and checked codes first."""
        return presentation.chips(
            self.fields[name].choices, self[name].value(), self.usual.get(name)
        )

    def barrier_chips(self):
        return self.chips("barriers")

    def procedure_groups(self):
        return grouped_options(self["procedure_domain"].value(), procedure_choices())

    def radio_options(self, name):
        value = self[name].value()
        return [(code, label, code == value) for code, label in self.fields[name].choices]

    def select_options(self, name):
        value = self[name].value() or ""
        return [(code, label, code == value) for code, label in self.fields[name].choices]

    def flag_chips(self):
        return self.chips("sensitive_flags")

    def referrer_kind_options(self):
        return self.select_options("referrer_kind")

    def responsible_kind_options(self):
        return self.select_options("responsible_kind")

    def person_language_options(self):
        return self.select_options("person_language")

    def mode_options(self):
        return self.radio_options("mode")

    def outcome_options(self):
        return self.radio_options("outcome")

    def consent_options(self):
        return self.radio_options("consent")

    def channel_options(self):
        return self.radio_options("channel")

    def quick_durations(self):
        return QUICK_DURATIONS

    def institution_label(self, hidden: str, search: str) -> str:
        value = self[search].value()
        if value:
            return value
        institution = self.initial.get(hidden)
        return str(institution) if institution else ""


def entry_initial(entry: AssistanceRequest) -> dict:
    """The form's values for an existing entry."""
    return {
        "occurred_on": entry.occurred_on,
        "duration_minutes": entry.duration_minutes,
        "procedure_domain": entry.procedure_domain,
        "referred_by": entry.referred_by_id or "",
        "referred_by_search": str(entry.referred_by) if entry.referred_by else "",
        "referrer_kind": entry.referrer_kind,
        "responsible_institution": entry.responsible_institution_id or "",
        "responsible_search": (
            str(entry.responsible_institution) if entry.responsible_institution else ""
        ),
        "responsible_kind": entry.responsible_kind,
        "barriers": entry.barrier_codes,
        "mode": entry.mode,
        "outcome": entry.outcome,
        "consent": entry.consent,
        "channel": entry.channel,
        "sensitive_flags": entry.sensitive_flag_codes,
        "person_code": entry.person.code if entry.person else "",
        "person_language": entry.person.language if entry.person else page_language(),
        "notes": entry.notes,
    }


class IncidentForm(forms.Form):
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("Title"), max_length=200)
    narrative = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Anonymised: no name, no national number, no phone number, no e-mail."),
    )
    procedure_domain = forms.ChoiceField(label=_("Procedure"), required=False)
    responsible_institution = InstitutionField(required=False)
    responsible_search = forms.CharField(
        label=_("Responsible body"), required=False, max_length=200
    )
    responsible_kind = forms.ChoiceField(label=_("Kind of responsible body"), required=False)
    barriers = forms.MultipleChoiceField(label=_("Digital barriers"), required=False)
    entries = forms.MultipleChoiceField(label=_("Linked entries"), required=False)
    shared = forms.BooleanField(label=_("Share with the federation"), required=False)
    identifiers_action = forms.ChoiceField(choices=IDENTIFIER_ACTIONS, required=False)

    ERRORS_SHOWN_UNDER = {
        "responsible_institution": "responsible_search",
        "identifiers_action": "narrative",
    }

    def __init__(self, *args, entries=(), usual=None, association_id=None, **kwargs):
        self.usual = usual or {}
        self.association_id = association_id
        super().__init__(*args, **kwargs)
        f = self.fields
        f["procedure_domain"].choices = procedure_choices()
        f["responsible_kind"].choices = code_choices("referrer_types", blank=True)
        f["barriers"].choices = code_choices("digital_barriers")
        self.entry_objects = {str(e.pk): e for e in entries}
        f["entries"].choices = [(str(e.pk), str(e.pk)) for e in entries]
        if not self.is_bound:
            self.initial.setdefault("occurred_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        if (
            data.get("responsible_institution") is None
            and (data.get("responsible_search") or "").strip()
        ):
            matches = institution_search(
                data["responsible_search"],
                limit=2,
                association_id=self.association_id,
                language=page_language(),
            )
            if len(matches) == 1:
                data["responsible_institution"] = matches[0]
            else:
                self.add_error(
                    "responsible_search",
                    _("Choose an institution from the list, or leave empty and pick a kind."),
                )
        show_errors_under(self, self.ERRORS_SHOWN_UNDER)
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "occurred_on": data.get("occurred_on"),
            "title": data.get("title"),
            "narrative": data.get("narrative"),
            "procedure_domain": data.get("procedure_domain") or "",
            "responsible_kind": data.get("responsible_kind") or "",
            "responsible_institution": data.get("responsible_institution"),
            "barriers": list(data.get("barriers") or []),
            "entries": [self.entry_objects[pk] for pk in data.get("entries") or []],
            "shared": bool(data.get("shared")),
        }

    def add_service_errors(self, error):
        for field, messages in error.message_dict.items():
            name = SERVICE_FIELD_TO_FORM_FIELD.get(field, field)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    def chips(self, name: str):
        return EntryForm.chips(self, name)

    def barrier_chips(self):
        return self.chips("barriers")

    def procedure_groups(self):
        return grouped_options(self["procedure_domain"].value(), procedure_choices())

    def select_options(self, name):
        return EntryForm.select_options(self, name)

    def responsible_kind_options(self):
        return self.select_options("responsible_kind")
