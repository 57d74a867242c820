"""The worker's orientation form (sent from an entry) and the receiving service's answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import InstitutionField

from .models import RECIPIENT_LANGUAGES, Orientation

LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English"}


class OrientationForm(forms.Form):
    institution = InstitutionField(required=False)
    institution_search = forms.CharField(
        label=_("Body of the registry"), required=False, max_length=200
    )
    recipient_name = forms.CharField(
        label=_("Or the service or contact, by name"), required=False, max_length=200
    )
    recipient_email = forms.CharField(label=_("E-mail of the receiving service"), max_length=254)
    recipient_language = forms.ChoiceField(
        label=_("Language of the e-mail"),
        choices=[(code, LANGUAGE_NAMES[code]) for code in RECIPIENT_LANGUAGES],
    )
    need = forms.CharField(
        label=_("What the person needs"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("Sent to the other service: no name, no national number, no phone."),
    )
    shares = forms.MultipleChoiceField(
        label=_("The person also agrees to share"),
        choices=Orientation.Share.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(
        label=_("The person agrees to this orientation and to what is shared."), required=False
    )

    ERRORS_SHOWN_UNDER = {"institution": "institution_search"}

    def service_fields(self) -> dict:
        data = self.cleaned_data
        institution = data.get("institution")
        return {
            "institution": institution.pk if institution else None,
            "recipient_name": data.get("recipient_name", ""),
            "recipient_email": data.get("recipient_email", ""),
            "recipient_language": data.get("recipient_language"),
            "need": data.get("need", ""),
            "shares": list(data.get("shares") or []),
            "consent": bool(data.get("consent")),
        }

    def add_service_errors(self, errors: dict) -> None:
        for name, messages in errors.items():
            field = self.ERRORS_SHOWN_UNDER.get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            (Orientation.Status.ACCEPTED, _("We accept: the person may come")),
            (Orientation.Status.REFUSED, _("We refuse")),
            (Orientation.Status.DONE, _("Done: the person was helped")),
            (Orientation.Status.NO_SHOW, _("The person did not come")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (if you refuse)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, allowed=None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            choices = self.fields["status"].choices
            self.fields["status"].choices = [(c, label) for c, label in choices if c in allowed]

    def add_service_errors(self, errors: dict) -> None:
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
