"""PDF from an HTML template, through WeasyPrint.

WeasyPrint needs system libraries (Pango) that a machine may lack: callers ask
`pdf_available()` first and tell the user, in their words, which formats still work.
"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string


class PdfUnavailable(Exception):
    """WeasyPrint or its system libraries (Pango) are missing on this machine."""


@functools.cache
def pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def pdf_bytes(template: str, context: dict) -> bytes:
    return pdf_bytes_of_parts(template, [context])


def pdf_bytes_of_parts(
    template: str, contexts: list[dict], on_progress: Callable[[int], None] | None = None
) -> bytes:
    """One PDF of several documents laid out one by one (each numbers its own pages), so a
    long export reports progress per part instead of sitting at 1 % for minutes."""
    if not pdf_available():
        raise PdfUnavailable("WeasyPrint or its system packages are missing (make pdf-deps)")
    from weasyprint import HTML

    documents = []
    for done, context in enumerate(contexts, start=1):
        html = render_to_string(template, context)
        documents.append(HTML(string=html, base_url=str(settings.BASE_DIR)).render())
        if on_progress is not None:
            on_progress(round(95 * done / len(contexts)))
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
