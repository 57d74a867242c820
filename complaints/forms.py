from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CompetentBody, Complaint

LANGUAGE_CHOICES = [("fr", "Français"), ("nl", "Nederlands")]


class ComplaintCreateForm(forms.Form):
    """The entries chosen (checkboxes of the list), the letter's language and, if the director
    overrides the level's service, the body it goes to."""

    entries = forms.MultipleChoiceField(label=_("Entries"), required=False)
    language = forms.ChoiceField(label=_("Language of the complaint"), choices=LANGUAGE_CHOICES)
    addressed_to = forms.ChoiceField(label=_("Addressed to"), required=False)

    def __init__(self, *args, entry_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = [(str(pk), str(pk)) for pk in entry_ids]
        self.fields["addressed_to"].choices = [
            ("", _("The service of the level of the body that asked")),
            *((str(b.pk), str(b)) for b in CompetentBody.objects.all()),
        ]


class ComplaintTrackForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Complaint.Status.choices)
    sent_on = forms.DateField(
        label=_("Sent on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    answered_on = forms.DateField(
        label=_("Answered on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    answer = forms.CharField(
        label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    closed_on = forms.DateField(
        label=_("Closed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def add_service_errors(self, error):
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
