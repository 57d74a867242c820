"""The Today page's one-line diary of contact attempts: an institution found by search, the
channel tried, its result and the minutes lost, optionally the entry it was for."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import InstitutionField, show_errors_under
from cases.presentation import code_choices

from .fields import ATTEMPT_FIELDS, MAX_WAITED_MINUTES

LABELS = {f.name: f.label for f in ATTEMPT_FIELDS}


def attempt_initial(attempt) -> dict:
    """The diary line's values for an attempt already logged."""
    return {
        "institution": attempt.institution_id or "",
        "institution_search": str(attempt.institution) if attempt.institution else "",
        "institution_kind": attempt.institution_kind,
        "channel": attempt.channel,
        "result": attempt.result,
        "waited_minutes": attempt.waited_minutes,
        "assistance_request": str(attempt.assistance_request_id or ""),
    }


class AttemptForm(forms.Form):
    institution = InstitutionField(required=False)
    institution_search = forms.CharField(
        label=LABELS["institution"], required=False, max_length=200
    )
    institution_kind = forms.ChoiceField(label=LABELS["institution_kind"], required=False)
    channel = forms.ChoiceField(label=LABELS["channel"])
    result = forms.ChoiceField(label=LABELS["result"])
    waited_minutes = forms.IntegerField(
        label=LABELS["waited_minutes"], min_value=0, max_value=MAX_WAITED_MINUTES
    )
    assistance_request = forms.ChoiceField(label=_("For the entry"), required=False)

    # Errors of the hidden id show under the search box the worker typed in.
    ERRORS_SHOWN_UNDER = {"institution": "institution_search"}

    def __init__(self, *args, entries=(), attempt=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The attempt being edited, when the diary's line changes one rather than logs one.
        self.attempt = attempt
        entries = list(entries)
        if attempt is not None:
            self.initial = {**attempt_initial(attempt), **self.initial}
            # The entry the attempt was for stays a choice, even when it is not of the day.
            if attempt.assistance_request is not None and attempt.assistance_request not in entries:
                entries.append(attempt.assistance_request)
        f = self.fields
        f["institution_kind"].choices = code_choices("referrer_types", blank=True)
        # The phone is where most time is lost; it is shown chosen, and can be changed.
        f["channel"].choices = code_choices("attempt_channels")
        f["result"].choices = code_choices("attempt_results", blank=True)
        self.initial.setdefault("channel", "phone")
        self.entries = {str(e.pk): e for e in entries}
        f["assistance_request"].choices = [("", "—"), *((pk, pk) for pk in self.entries)]

    def _post_clean(self):
        super()._post_clean()
        show_errors_under(self, self.ERRORS_SHOWN_UNDER)

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "institution": data["institution"],
            "institution_kind": data["institution_kind"],
            "channel": data["channel"],
            "result": data["result"],
            "waited_minutes": data["waited_minutes"],
            "assistance_request": self.entries.get(data["assistance_request"] or ""),
        }

    def add_service_errors(self, errors: dict) -> None:
        for name, messages in errors.items():
            self.add_error(name if name in self.fields else None, messages)
        show_errors_under(self, self.ERRORS_SHOWN_UNDER)

    def select_options(self, name):
        value = self[name].value() or ""
        return [(code, label, code == value) for code, label in self.fields[name].choices]

    def institution_kind_options(self):
        return self.select_options("institution_kind")

    def channel_options(self):
        return self.select_options("channel")

    def result_options(self):
        return self.select_options("result")
