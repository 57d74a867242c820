"""The mandates' pages: recording one from the person's page, printing its form, revoking it
in one click with a receipt, and what the Today page shows (expiring mandates, and whether a
do_for entry is covered)."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cases import selectors as case_selectors
from cases.models import Person
from cases.presentation import page_language
from cases.views import member_json, member_required
from rendering import pdf
from taxonomy import procedure_root

from . import presentation, selectors, services
from .models import FORMS


def _mandate_or_404(request, pk):
    mandate = selectors.mandate_get_for_association(association=request.association, pk=pk)
    if mandate is None:
        raise Http404
    return mandate


def _row(mandate, today, language):
    return {
        "mandate": mandate,
        "scopes": presentation.scope_labels(mandate, language),
        "in_force": mandate.in_force_on(today),
        "revoked": mandate.revoked_on is not None,
        "form_label": presentation.form_labels()[mandate.form],
    }


def person_mandates_block(association, person) -> list:
    """The reader of the person's page: one block when the person has mandates (the section
    is shown only then; the first one is recorded from the entry form's warning)."""
    today, language = timezone.localdate(), page_language()
    mandates = selectors.mandate_list_for_person(association=association, person=person)
    if not mandates:
        return []
    return [
        {
            "person": person,
            "rows": [_row(m, today, language) for m in mandates],
        }
    ]


def today_section(request, form=None) -> dict:
    today = timezone.localdate()
    expiring = selectors.mandate_list_expiring(association=request.association, today=today)
    return {
        "template": "mandates/_today_expiring.html",
        "rows": [_row(m, today, page_language()) for m in expiring],
        "days": selectors.EXPIRING_DAYS,
    }


class MandateForm(forms.Form):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Procedure domains covered"), widget=forms.CheckboxSelectMultiple
    )
    starts_on = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Until (at most one year later)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    form = forms.ChoiceField(label=gettext_lazy("Given"), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = page_language()
        self.fields["scopes"].choices = [
            (c.code, c.label(language)) for c in presentation.top_level_domains()
        ]
        labels = presentation.form_labels()
        self.fields["form"].choices = [(f, labels[f]) for f in FORMS]


@member_required
def mandate_create_view(request, person_pk):
    person = case_selectors.person_get_for_association(
        association=request.association, pk=person_pk
    )
    if person is None:
        raise Http404
    status = 200
    if request.method == "POST":
        form = MandateForm(request.POST)
        if form.is_valid():
            try:
                mandate = services.mandate_create(
                    association=request.association,
                    actor=request.user,
                    person=person.pk,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    for message in messages:
                        form.add_error(name if name in form.fields else None, message)
            else:
                return redirect("mandates:print", pk=mandate.pk)
        status = 400
    else:
        today = timezone.localdate()
        initial_scope = request.GET.get("scope")
        form = MandateForm(
            initial={
                "starts_on": today,
                "ends_on": services.one_year_after(today) - dt.timedelta(days=1),
                "form": "paper",
                "scopes": [initial_scope] if initial_scope else [],
            }
        )
    return render(
        request, "mandates/mandate_form.html", {"form": form, "person": person}, status=status
    )


def _form_context(mandate):
    return {
        "mandate": mandate,
        "lines": presentation.mandate_lines(mandate),
        "language": mandate.language,
    }


@require_GET
@member_required
def mandate_form_print(request, pk):
    mandate = _mandate_or_404(request, pk)
    context = _form_context(mandate) | {"pdf_available": pdf.pdf_available()}
    return render(request, "mandates/mandate_print.html", context)


@require_GET
@member_required
def mandate_form_pdf(request, pk):
    mandate = _mandate_or_404(request, pk)
    if not pdf.pdf_available():
        return redirect("mandates:print", pk=mandate.pk)
    content = pdf.pdf_bytes("mandates/pdf/mandate.html", _form_context(mandate))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mandate-{mandate.reference}.pdf"'
    return response


@require_POST
@member_required
def mandate_revoke_view(request, pk):
    mandate = _mandate_or_404(request, pk)
    try:
        services.mandate_revoke(mandate=mandate, actor=request.user)
    except ValidationError as exc:
        request.session["notice"] = exc.messages[0]
        return redirect("cases:person_detail", pk=mandate.person_id)
    return redirect("mandates:receipt", pk=mandate.pk)


@require_GET
@member_required
def mandate_revocation_receipt(request, pk):
    mandate = _mandate_or_404(request, pk)
    if mandate.revoked_on is None:
        raise Http404
    lines = presentation.revocation_lines(mandate, mandate.language)
    return render(
        request,
        "mandates/revocation_receipt.html",
        {"mandate": mandate, "lines": lines, "language": mandate.language},
    )


@require_GET
@member_json
def mandate_check_json(request):
    """What the entry form says when the worker chooses "done in the person's place": the
    person's mandate in force for that procedure, or that there is none."""
    code = (request.GET.get("person_code") or "").strip()
    if "\x00" in code or len(code) > Person._meta.get_field("code").max_length:
        # No person's code holds a NUL or runs that long, and PostgreSQL refuses a NUL in a
        # query: such a code names nobody.
        code = ""
    procedure = request.GET.get("procedure_domain") or ""
    try:
        day = dt.date.fromisoformat(request.GET.get("occurred_on") or "")
    except ValueError:
        day = timezone.localdate()
    root = procedure_root(procedure) if procedure in presentation.ALL_PROCEDURES else ""
    person = (
        case_selectors.person_get_by_code_for_association(
            association=request.association, code=code
        )
        if code
        else None
    )
    mandate = None
    if person is not None and root:
        mandate = selectors.mandate_in_force_for(
            association=request.association, person=person, root=root, day=day
        )
    if mandate is not None:
        return JsonResponse(
            {
                "mandate": mandate.reference,
                "message": _("Covered by mandate %(reference)s, valid until %(end)s.")
                % {"reference": mandate.reference, "end": mandate.ends_on.strftime("%d/%m/%Y")},
            }
        )
    message = _(
        "No mandate of this person covers this procedure today. Record a mandate from the "
        "person's page, or record the person's explicit consent for this one time."
    )
    return JsonResponse(
        {
            "mandate": None,
            "message": message,
            "record_url": (
                f"{reverse('mandates:create', args=[person.pk])}?scope={root}"
                if person is not None
                else ""
            ),
        }
    )
