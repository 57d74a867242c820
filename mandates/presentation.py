"""What a mandate says to the person: the printed form's exact wording, in their language.

The wording is a list of lines; the printed form shows exactly these lines and
`consent_text_sha256` is the SHA-256 of them joined by newlines, so that re-rendering a
mandate proves what the person was given to agree to.
"""

import hashlib
from dataclasses import dataclass

from django.utils import formats, translation
from django.utils.translation import gettext as _

from taxonomy import get_taxonomy

from .models import FORM_LANGUAGES, IN_PERSON, PAPER


def top_level_domains() -> list:
    return [c for c in get_taxonomy().sections["procedure_domains"] if c.parent is None]


TOP_LEVEL_CODES = frozenset(c.code for c in top_level_domains())


def form_language(person_language: str) -> str:
    return person_language if person_language in FORM_LANGUAGES else "fr"


@dataclass(frozen=True)
class Line:
    kind: str  # title, text, heading, item, signature
    text: str


def _day(value) -> str:
    return formats.date_format(value, "j F Y")


def mandate_wording(
    *, association_name, person_code, reference, scopes, starts_on, ends_on, form, language
) -> list[Line]:
    """The form's lines, in `language` (fr, nl or en)."""
    taxonomy = get_taxonomy()
    with translation.override(language):
        lines = [
            Line("title", _("Mandate to act in my place")),
            Line("text", _("Reference: %(reference)s") % {"reference": reference}),
            Line(
                "text",
                _(
                    "I, the person known to %(association)s under the code %(code)s, give "
                    "%(association)s a mandate to carry out in my place the procedures of the "
                    "following domains:"
                )
                % {"association": association_name, "code": person_code},
            ),
            *(
                Line("item", taxonomy.label("procedure_domains", code, language))
                for code in sorted(scopes)
            ),
            Line(
                "text",
                _("This mandate is valid from %(start)s to %(end)s inclusive.")
                % {"start": _day(starts_on), "end": _day(ends_on)},
            ),
            Line("heading", _("What the social worker may do")),
            Line("item", _("Fill in and send forms and requests in my name, in these domains.")),
            Line("item", _("Contact the bodies concerned about my file and ask where it stands.")),
            Line("item", _("Keep a copy of the documents needed for these procedures.")),
            Line("heading", _("What the social worker may not do")),
            Line(
                "item",
                _("Ask for, write down or keep my passwords, PIN codes or itsme access."),
            ),
            Line("item", _("Act in any other domain, or sign in my name.")),
            Line("item", _("Act before the start date, after the end date or once I revoke it.")),
            Line("heading", _("How to revoke this mandate")),
            Line(
                "text",
                _(
                    "You can revoke this mandate at any time, without giving a reason, by telling "
                    "the association in person, by phone or in writing. It ends the same day and "
                    "you receive a receipt. The association keeps the mandate as proof of what "
                    "was done under it."
                ),
            ),
            Line(
                "text",
                _("Signed on paper by the person.")
                if form == PAPER
                else _("Given in person and recorded by the social worker."),
            ),
        ]
        if form == PAPER:
            lines.append(Line("signature", _("Date and signature of the person:")))
        lines.append(Line("signature", _("For the association:")))
    return lines


def wording_text(lines: list[Line]) -> str:
    return "\n".join(line.text for line in lines)


def wording_sha256(lines: list[Line]) -> str:
    return hashlib.sha256(wording_text(lines).encode("utf-8")).hexdigest()


def mandate_lines(mandate) -> list[Line]:
    """The wording printed for a stored mandate (the one its hash was computed on)."""
    return mandate_wording(
        association_name=mandate.association.name,
        person_code=mandate.person.code,
        reference=mandate.reference,
        scopes=mandate.scope_codes,
        starts_on=mandate.starts_on,
        ends_on=mandate.ends_on,
        form=mandate.form,
        language=mandate.language,
    )


def form_labels() -> dict:
    return {PAPER: _("signed on paper"), IN_PERSON: _("given in person and recorded")}


def scope_labels(mandate, language) -> list[str]:
    taxonomy = get_taxonomy()
    return [taxonomy.label("procedure_domains", code, language) for code in mandate.scope_codes]


def revocation_lines(mandate, language) -> list[Line]:
    """The revocation receipt given to the person."""
    with translation.override(language):
        return [
            Line("title", _("Receipt: mandate revoked")),
            Line("text", _("Reference: %(reference)s") % {"reference": mandate.reference}),
            Line(
                "text",
                _(
                    "The mandate given to %(association)s by the person known under the code "
                    "%(code)s is revoked from %(day)s on. From that day, the association no longer "
                    "acts in the person's place under it."
                )
                % {
                    "association": mandate.association.name,
                    "code": mandate.person.code,
                    "day": _day(mandate.revoked_on),
                },
            ),
            Line(
                "text",
                _("The association keeps the mandate as proof of what was done under it."),
            ),
        ]


ALL_PROCEDURES = frozenset(get_taxonomy().codes("procedure_domains"))
