"""The worker's forms: parse what the browser sends, then leave every rule to the services.

The forms only turn strings into dates, numbers, codes and objects; `cases.services` decides
what is valid, so that the page, the API and imports accept exactly the same entries. Their
options and labels come from `cases.presentation`.
"""

import datetime as dt
import json

from django import forms
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from referrals.models import Institution
from referrals.selectors import institutions_search
from rendering import numbers
from taxonomy import procedure_root

from . import presentation
from .entry_fields import (
    BY_NAME,
    ENTRY_FIELDS,
    LEDGER_BARRIERS,
    LEDGER_OUTCOMES,
    MORE_FIELDS,
    EntryField,
    Group,
    Kind,
    fields_of,
    ledger_called_for,
)
from .models import AssistanceRequest
from .presentation import code_choices, grouped_options, page_language, procedure_choices

QUICK_DURATIONS = (5, 10, 15, 30, 45, 60)
# What a new entry takes from the worker's last one: where and when they work, not what they
# did for the person before.
CARRIED_OVER = ("occurred_on", "channel")
CONSENT_NOT_APPLICABLE = "not_applicable"
# What the worker chose after being warned of an identifier in free text.
IDENTIFIER_ACTIONS = (("", ""), ("mask", "mask"), ("keep", "keep"))

# Fields whose service error is shown next to another control of the form.
SERVICE_FIELD_TO_FORM_FIELD = {
    "referred_by": "referred_by_search",
    "responsible_institution": "responsible_search",
    "once_only_holder": "once_only_holder_search",
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


class BodiesForm(forms.Form):
    """What the entry and the incident sheet share: bodies named by search, service errors
    shown where the worker looks, chips and options in the page's language."""

    # The search box of each body, where the worker types its name (the hidden id is the field).
    SEARCH_CONTROLS: dict[str, str] = {}
    ERRORS_SHOWN_UNDER: dict[str, str] = {}
    # The barriers the association shows as chips before its "other barriers" fold.
    shown_barriers: list | None = None
    association_id: int | None = None

    def clean(self):
        data = super().clean()
        for hidden, search in self.SEARCH_CONTROLS.items():
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
        return data

    def finish_clean(self, data):
        show_errors_under(self, self.ERRORS_SHOWN_UNDER)
        return data

    def add_service_errors(self, error, *, besides_refused=False):
        """Put each of the services' messages next to its field; `besides_refused`: only for
        the fields the form itself did not already refuse (one message per field)."""
        refused = set(self.errors) if besides_refused else set()
        for field, messages in error.message_dict.items():
            name = SERVICE_FIELD_TO_FORM_FIELD.get(field, field)
            if name in refused:
                continue
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    def chips(self, name: str, shown_codes=None) -> tuple[list, list]:
        """(shown, more) chips of a multiple choice, in the taxonomy's fixed order."""
        return presentation.chips(self.fields[name].choices, self[name].value(), shown_codes)

    def error_labels(self) -> list[str]:
        """The labels of the fields refused, as the summary above the form names them."""
        labels = []
        for name in self.errors:
            if name in self.fields and self.fields[name].label:
                labels.append(str(self.fields[name].label))
        return labels

    def barrier_chips(self):
        return self.chips("barriers", self.shown_barriers)

    def procedure_groups(self):
        return grouped_options(self["procedure_domain"].value(), procedure_choices())

    def select_options(self, name):
        value = self[name].value() or ""
        return [(code, label, code == value) for code, label in self.fields[name].choices]

    def once_only_open(self) -> bool:
        """Whether the Once-Only fold opens: the barrier is ticked, or its fields say something."""
        names = ("barriers", "once_only_document", "once_only_holder", "once_only_holder_search")
        return "once_only" in (self["barriers"].value() or []) or any(
            self[name].value() or self[name].errors for name in names[1:] if name in self.fields
        )

    def responsible_kind_options(self):
        return self.select_options("responsible_kind")


# The groups of "more" fields the form folds under a legend of their own.
FOLDED_GROUPS = {Group.RIGHTS: _("What it cost the person: rights delayed or lost, fees")}


def _holds_a_value(value) -> bool:
    """Whether a control holds something the worker chose (a default "none" or 0 is not)."""
    if isinstance(value, list | tuple):
        return bool(value)
    return value not in (None, "", "none", 0, "0", "0.00", "0,00")


def entry_form_field(f: EntryField) -> forms.Field:
    """The form control of one field of the entry definition (codes get their choices, in the
    page's language, when the form is built)."""
    if f.kind is Kind.DATE:
        return forms.DateField(
            label=f.label, required=f.required, widget=forms.DateInput(attrs={"type": "date"})
        )
    if f.kind is Kind.INTEGER:
        attrs = {"inputmode": "numeric", "min": f.minimum, "max": f.maximum, "step": 1}
        return forms.IntegerField(
            label=f.label, required=f.required, widget=forms.NumberInput(attrs=attrs)
        )
    if f.kind is Kind.DECIMAL:
        # Typed as Belgian offices write it: a decimal comma is read in French and Dutch.
        return forms.DecimalField(
            label=f.label,
            required=f.required,
            localize=True,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        )
    if f.kind is Kind.CODE:
        return forms.ChoiceField(label=f.label, required=not f.optional_code)
    if f.kind is Kind.CODES:
        return forms.MultipleChoiceField(label=f.label, required=False)
    if f.kind is Kind.INSTITUTION:
        return InstitutionField(required=False)
    return forms.CharField(
        label=f.label,
        required=False,
        max_length=f.max_length,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": f.max_length}),
    )


# The form's controls of the definition's fields; the person is chosen by code (below).
EntryFieldsForm = type(
    "EntryFieldsForm",
    (BodiesForm,),
    {f.name: entry_form_field(f) for f in ENTRY_FIELDS if f.kind is not Kind.PERSON},
)

SEARCH_CONTROLS = {
    "referred_by": "referred_by_search",
    "responsible_institution": "responsible_search",
    "once_only_holder": "once_only_holder_search",
}


def search_control(name: str) -> str:
    return SEARCH_CONTROLS.get(name, f"{name}_search")


def code_field_choices(f: EntryField) -> list:
    if f.section == "procedure_domains":
        return procedure_choices()
    return code_choices(f.section, blank=f.optional_code)


class EntryForm(EntryFieldsForm):
    """One log entry, in the order the worker goes through it."""

    referred_by_search = forms.CharField(
        label=BY_NAME["referred_by"].label, required=False, max_length=200
    )
    responsible_same = forms.BooleanField(label=_("Same as referrer"), required=False)
    responsible_search = forms.CharField(
        label=BY_NAME["responsible_institution"].label, required=False, max_length=200
    )
    once_only_holder_search = forms.CharField(
        label=BY_NAME["once_only_holder"].label, required=False, max_length=200
    )
    person_code = forms.CharField(label=BY_NAME["person"].label, required=False, max_length=30)
    person_language = forms.ChoiceField(label=_("Language of the person"), required=False)
    identifiers_action = forms.ChoiceField(choices=IDENTIFIER_ACTIONS, required=False)

    SEARCH_CONTROLS = SEARCH_CONTROLS
    ERRORS_SHOWN_UNDER = {**SEARCH_CONTROLS, "identifiers_action": "notes"}

    def __init__(
        self,
        *args,
        carried_over=None,
        shown_barriers=None,
        association_id=None,
        reference_amounts=(),
        **kwargs,
    ):
        """A blank form takes only the date and the channel from the worker's last entry
        (`carried_over`, which the page marks); every other choice (mode, outcome,
        consent given) is made afresh for each person, so that a value the worker did not
        choose this time is never saved. `reference_amounts`, the association's table
        (organisations.ReferenceAmount), is only ever proposed: the monthly amount stays
        empty until the worker chooses one."""
        self.carried_over = carried_over or {}
        self.reference_amounts = list(reference_amounts)
        self.shown_barriers = shown_barriers
        self.association_id = association_id
        super().__init__(*args, **kwargs)
        f = self.fields
        for spec in fields_of(Kind.CODE, Kind.CODES):
            f[spec.name].choices = code_field_choices(spec)
        f["person_language"].choices = presentation.person_language_choices()
        # The services say why a consent is missing (sensitive data or not): no generic error.
        f["consent"].required = False
        if not self.is_bound:
            for name in CARRIED_OVER:
                if self.carried_over.get(name):
                    self.initial.setdefault(name, self.carried_over[name])
            self.initial.setdefault("occurred_on", timezone.localdate())
            # No sensitive data until a flag is ticked; a flag asks for the consent given.
            self.initial.setdefault("consent", CONSENT_NOT_APPLICABLE)
            self.initial.setdefault("person_language", page_language())

    def carried_over_fields(self) -> set[str]:
        """The fields still holding the value carried over from the last entry."""
        return {
            name
            for name in CARRIED_OVER
            if name in self.carried_over
            and str(self[name].value() or "") == str(self.carried_over[name])
        }

    def clean(self):
        data = super().clean()
        if data.get("responsible_same"):
            data["responsible_institution"] = data.get("referred_by")
            data["responsible_kind"] = data.get("referrer_kind")
        return self.finish_clean(data)

    def service_fields(self) -> dict:
        """The cleaned values as `assistance_request_create` takes them (person aside)."""
        values = {}
        for f in ENTRY_FIELDS:
            value = self.cleaned_data.get(f.name)
            if f.kind is Kind.PERSON:
                continue
            if f.kind is Kind.CODES:
                value = list(value or [])
            elif f.kind is Kind.TEXT:
                value = value or ""
            elif f.optional_code:
                value = value or None
            values[f.name] = value
        return values

    def more_fields(self) -> list[tuple]:
        """(bound field, kind, options) of each field of the definition that the page does
        not lay out by hand: radios for a code, chips for codes, the field's own control
        otherwise."""
        shown = []
        for f in MORE_FIELDS:
            options = None
            if f.kind is Kind.CODE:
                options = self.radio_options(f.name)
            elif f.kind is Kind.CODES:
                options = self.chips(f.name)
            shown.append((self[f.name], f.kind.value, options))
        return shown

    def more_field_groups(self) -> list[tuple]:
        """The "more" fields by group: (legend or None, open, fields, ledger). The rights
        ledger is folded under its legend, open when it holds a value or an error or when
        the outcome or a barrier calls for it (`entry_fields.ledger_called_for`), so that an
        entry that cost the person nothing costs the worker no scrolling. `ledger` tells
        entry.js the same rule, to show the group as the worker chooses the outcome; without
        the script the fold stays on the page, reachable."""
        groups = {}
        for bound, kind, options in self.more_fields():
            groups.setdefault(BY_NAME[bound.name].group, []).append((bound, kind, options))
        shown = []
        for group, fields in groups.items():
            legend = FOLDED_GROUPS.get(group)
            holds = any(bound.errors or _holds_a_value(bound.value()) for bound, _k, _o in fields)
            ledger = None
            if group is Group.RIGHTS:
                ledger = {
                    "holds": holds,
                    "called_for": self.ledger_called_for(),
                    "outcomes": " ".join(LEDGER_OUTCOMES),
                    "barriers": " ".join(LEDGER_BARRIERS),
                }
            is_open = legend is None or holds or bool(ledger and ledger["called_for"])
            shown.append((legend, is_open, fields, ledger))
        return shown

    def ledger_called_for(self) -> bool:
        return ledger_called_for(self["outcome"].value(), self["barriers"].value() or ())

    # --- the reference amounts proposed for the monthly amount ----------------------------

    def _entry_day(self) -> dt.date:
        value = self["occurred_on"].value()
        if isinstance(value, dt.date):
            return value
        try:
            return self.fields["occurred_on"].to_python(value) or timezone.localdate()
        except forms.ValidationError:
            return timezone.localdate()

    @staticmethod
    def _proposal(amount) -> dict:
        return {
            "procedure": amount.procedure_domain,
            "situation": amount.situation,
            # As the amount box reads it back (a decimal comma in French and Dutch).
            "value": number_format(amount.monthly_eur, 2),
            "display": numbers.euros(amount.monthly_eur),
            "source": amount.source_name,
            "url": amount.source_url,
            "valid_from": amount.valid_from.isoformat(),
            "valid_from_display": date_format(amount.valid_from, "j F Y"),
        }

    def reference_amounts_json(self) -> str:
        """Every row of the association's table, for entry.js to propose as the procedure and
        the day change; the server picks the same ones (`reference_proposals`)."""
        return json.dumps([self._proposal(a) for a in self.reference_amounts])

    def reference_proposals(self) -> list[dict]:
        """The amounts proposed for the monthly amount while the worker has typed none: the
        procedure's (else its domain's), of each situation the one in force on the entry's
        day."""
        if _holds_a_value(self["right_monthly_eur"].value()):
            return []
        procedure = self["procedure_domain"].value() or ""
        day = self._entry_day()
        for code in dict.fromkeys((procedure, procedure_root(procedure) if procedure else "")):
            in_force = {}
            for amount in sorted(self.reference_amounts, key=lambda a: a.valid_from):
                if code and amount.procedure_domain == code and amount.valid_from <= day:
                    in_force[amount.situation] = amount
            if in_force:
                return [self._proposal(in_force[key]) for key in sorted(in_force)]
        return []

    # --- what the template needs -----------------------------------------------------------

    def radio_options(self, name):
        value = self[name].value()
        return [(code, label, code == value) for code, label in self.fields[name].choices]

    def flag_chips(self):
        return self.chips("sensitive_flags")

    def referrer_kind_options(self):
        return self.select_options("referrer_kind")

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
    initial = {}
    for f in ENTRY_FIELDS:
        value = getattr(entry, f.attribute)
        if f.kind is Kind.INSTITUTION:
            institution = getattr(entry, f.name)
            initial[f.name] = value or ""
            initial[search_control(f.name)] = str(institution) if institution else ""
        elif f.kind is Kind.PERSON:
            initial["person_code"] = entry.person.code if entry.person else ""
            initial["person_language"] = entry.person.language if entry.person else page_language()
        else:
            initial[f.name] = value
    return initial


def incident_initial_from_entry(entry: AssistanceRequest) -> dict:
    """What a sheet started from an entry copies of it: its day, procedure, responsible body
    and barriers, and the link to it. A value the entry does not have is not copied."""
    initial = {
        "occurred_on": entry.occurred_on,
        "procedure_domain": entry.procedure_domain,
        "responsible_kind": entry.responsible_kind,
        "entries": [str(entry.pk)],
    }
    if entry.responsible_institution is not None:
        initial["responsible_institution"] = entry.responsible_institution.pk
        initial["responsible_search"] = str(entry.responsible_institution)
    barriers = entry.barrier_codes
    if barriers:
        initial["barriers"] = barriers
    return initial


# The values a sheet takes from its entry, each marked on the page while it is unchanged.
CARRIED_FIELDS = ("occurred_on", "procedure_domain", "responsible_institution", "responsible_kind")


class IncidentForm(BodiesForm):
    # One date: the day of the situation (the entry's day when the sheet starts from one).
    occurred_on = forms.DateField(
        label=_("Date of the incident"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Give the date of the incident."),
            "invalid": _("The date of the incident is not a date: write it as day/month/year."),
        },
    )
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

    SEARCH_CONTROLS = {"responsible_institution": "responsible_search"}
    ERRORS_SHOWN_UNDER = {**SEARCH_CONTROLS, "identifiers_action": "narrative"}

    def __init__(
        self, *args, entries=(), shown_barriers=None, association_id=None, from_entry=None, **kwargs
    ):
        self.shown_barriers = shown_barriers
        self.association_id = association_id
        # The entry the sheet was started from: its values are copied, and marked as such.
        self.from_entry = from_entry
        self.carried_values = incident_initial_from_entry(from_entry) if from_entry else {}
        super().__init__(*args, **kwargs)
        f = self.fields
        f["procedure_domain"].choices = procedure_choices()
        f["responsible_kind"].choices = code_choices("referrer_types", blank=True)
        f["barriers"].choices = code_choices("digital_barriers")
        if from_entry is not None and from_entry.pk not in {e.pk for e in entries}:
            entries = [from_entry, *entries]
        self.entry_objects = {str(e.pk): e for e in entries}
        f["entries"].choices = [(str(e.pk), str(e.pk)) for e in entries]
        if not self.is_bound:
            for name, value in self.carried_values.items():
                self.initial.setdefault(name, value)
            self.initial.setdefault("occurred_on", timezone.localdate())

    @property
    def carried(self) -> dict[str, bool]:
        """The fields that still hold the value copied from the entry, to mark on the page:
        a value the worker changed is theirs and loses its mark."""
        carried = {}
        for name in (*CARRIED_FIELDS, "barriers"):
            if name not in self.carried_values:
                continue
            value = self[name].value()
            if name == "occurred_on" and isinstance(value, str):
                try:
                    value = self.fields[name].to_python(value)
                except forms.ValidationError:
                    value = None
            copied = self.carried_values[name]
            if name == "barriers":
                carried[name] = sorted(value or []) == sorted(copied)
            else:
                carried[name] = str(value or "") == str(copied or "") and bool(copied)
        return carried

    def clean(self):
        return self.finish_clean(super().clean())

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
