"""The director's pages: the Once-Only entries to choose from, the complaint generated from
them (its pre-filled text, as PDF and plain text, in French or Dutch) and its tracking."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from cases.presentation import page_language
from organisations.access import Rule, seat_required
from rendering.pdf import pdf_available, pdf_bytes

from . import selectors, services
from .forms import ComplaintCreateForm, ComplaintTrackForm
from .letter import complaint_letter, entry_names_person, letter_text

director_required = seat_required(
    Rule.DIRECTOR, message=gettext_lazy("Only a director may write Once-Only complaints.")
)


def _complaint_or_404(request, pk):
    complaint = selectors.complaint_get_for_association(association=request.association, pk=pk)
    if complaint is None:
        raise Http404
    return complaint


def _entry_rows(entries, language):
    return [
        {
            "entry": entry,
            "asker": entry.responsible_institution.display_name(language)
            if entry.responsible_institution
            else "",
            "holder": entry.once_only_holder.display_name(language)
            if entry.once_only_holder
            else "",
            "names_person": entry_names_person(entry),
            "complaints": len(entry.once_only_complaints.all()),
        }
        for entry in entries
    ]


@require_GET
@director_required
def complaint_list(request):
    complaints = selectors.complaint_list_for_association(association=request.association)
    return render(
        request,
        "complaints/list.html",
        {"association": request.association, "complaints": complaints},
    )


@require_http_methods(["GET", "POST"])
@director_required
def complaint_create(request):
    entries = list(selectors.once_only_entry_list_for_association(association=request.association))
    ids = [e.pk for e in entries]
    status = 200
    if request.method == "POST":
        form = ComplaintCreateForm(request.POST, entry_ids=ids)
        if form.is_valid():
            try:
                complaint = services.complaint_create(
                    association=request.association,
                    actor=request.user,
                    entries=form.cleaned_data["entries"],
                    language=form.cleaned_data["language"],
                    addressed_to=form.cleaned_data["addressed_to"] or None,
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                return redirect("complaints:detail", pk=complaint.pk)
        status = 400
    else:
        language = page_language() if page_language() in ("fr", "nl") else "fr"
        form = ComplaintCreateForm(entry_ids=ids, initial={"language": language})
    chosen = set(form["entries"].value() or [])
    return render(
        request,
        "complaints/create.html",
        {
            "association": request.association,
            "form": form,
            "rows": _entry_rows(entries, page_language()),
            "chosen": chosen,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@director_required
def complaint_detail(request, pk):
    complaint = _complaint_or_404(request, pk)
    status = 200
    if request.method == "POST":
        form = ComplaintTrackForm(request.POST)
        if form.is_valid():
            try:
                services.complaint_track(
                    complaint=complaint, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                return redirect("complaints:detail", pk=complaint.pk)
        status = 400
    else:
        form = ComplaintTrackForm(
            initial={
                name: getattr(complaint, name)
                for name in ("status", "sent_on", "answered_on", "answer", "closed_on")
            }
        )
    entries = list(complaint.entries.all())
    letter = complaint_letter(complaint, entries)
    return render(
        request,
        "complaints/detail.html",
        {
            "association": request.association,
            "complaint": complaint,
            "letter": letter,
            "text": letter_text(letter),
            "form": form,
            "pdf_available": pdf_available(),
        },
        status=status,
    )


def _download(content, content_type, complaint, extension):
    response = HttpResponse(content, content_type=content_type)
    name = f"once-only-complaint-{complaint.pk}-{complaint.language}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@director_required
def complaint_pdf(request, pk):
    complaint = _complaint_or_404(request, pk)
    if not pdf_available():
        return HttpResponse(
            gettext_lazy("PDF is not available on this server; the plain text still is."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    letter = complaint_letter(complaint, list(complaint.entries.all()))
    content = pdf_bytes("complaints/pdf.html", {"letter": letter})
    return _download(content, "application/pdf", complaint, "pdf")


@require_GET
@director_required
def complaint_text(request, pk):
    complaint = _complaint_or_404(request, pk)
    letter = complaint_letter(complaint, list(complaint.entries.all()))
    return _download(letter_text(letter), "text/plain; charset=utf-8", complaint, "txt")
