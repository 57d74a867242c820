"""The dossier as a file: the page's content, laid out as a letter-like PDF."""

from django.utils import timezone, translation
from django.utils.text import slugify

from rendering.files import ExportFile
from rendering.pdf import pdf_bytes

from .selectors import dossier_document


def dossier_pdf(dossier, language: str) -> ExportFile:
    with translation.override(language):
        context = {**dossier_document(dossier, language), "issued_on": timezone.localdate()}
        content = pdf_bytes("dossiers/pdf/dossier.html", context)
    stem = slugify(f"dossier-{dossier.institution.name}-{dossier.period_from}-{dossier.period_to}")
    return ExportFile(f"{stem}.pdf", content)
