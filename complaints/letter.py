"""The complaint's pre-filled text, in French or Dutch: the facts of each entry (the day,
which administration asked for which document, which body already holds it), never the
person unless the entry records their consent."""

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from privacy.identifiers import mask

from .models import Level

# The consents under which an entry may name the person's code (taxonomy: consent_types).
CONSENTS_ALLOWING_SHARING = frozenset({"written", "oral"})


def _legal_basis(level: str) -> str:
    if level == Level.BRUSSELS:
        return _("the Brussels ordinance on the Once-Only principle (single collection of data)")
    if level == Level.WALLONIA:
        return _(
            "the Walloon and Wallonia-Brussels Federation decrees on the Once-Only principle "
            "(single collection of data)"
        )
    return _("the federal law of 5 May 2014 guaranteeing the principle of single data collection")


def _body_name(institution, language: str) -> str:
    if institution is None:
        return _("an administration not recorded")
    return institution.display_name(language)


def entry_names_person(entry) -> bool:
    return entry.person_id is not None and entry.consent in CONSENTS_ALLOWING_SHARING


def fact(entry, language: str) -> str:
    document = mask(entry.once_only_document) if entry.once_only_document else ""
    values = {
        "date": formats.date_format(entry.occurred_on, "j F Y"),
        "asker": _body_name(entry.responsible_institution, language),
        "document": document or _("a document not recorded"),
        "holder": _body_name(entry.once_only_holder, language),
    }
    text = (
        _(
            "On %(date)s, %(asker)s asked the person for “%(document)s”, which %(holder)s "
            "already holds."
        )
        % values
    )
    if entry_names_person(entry):
        text += " " + _("(Person, who agreed to be named: %(code)s.)") % {"code": entry.person.code}
    return text


def complaint_letter(complaint, entries) -> dict:
    """The parts of the letter (sender, addressee, subject, paragraphs, facts), in the
    complaint's language; the PDF and the plain text are both laid out from these."""
    language = complaint.language
    association = complaint.association
    body = complaint.addressed_to
    with translation.override(language):
        facts = [fact(entry, language) for entry in entries]
        named = any(entry_names_person(entry) for entry in entries)
        town = " ".join(p for p in (association.postcode, association.city) if p)
        return {
            "language": language,
            "sender": {
                "name": association.name,
                "lines": [line for line in (association.street, town, association.email) if line],
            },
            "addressee": {
                "name": body.name(language),
                "lines": body.postal_lines(language),
                "known": bool(body.street_fr or body.street_nl),
            },
            "issued_on": formats.date_format(complaint.created_at.date(), "j F Y"),
            "subject": _("Once-Only principle not respected: report of %(count)d situation(s)")
            % {"count": len(facts)},
            "salutation": _("Madam, Sir,"),
            "opening": ngettext(
                "%(association)s helps persons with their administrative procedures. We report "
                "a situation in which an administration asked a person again for a document "
                "that another administration already holds, contrary to %(basis)s.",
                "%(association)s helps persons with their administrative procedures. We report "
                "%(count)d situations in which an administration asked a person again for a "
                "document that another administration already holds, contrary to %(basis)s.",
                len(facts),
            )
            % {
                "association": association.name,
                "count": len(facts),
                "basis": _legal_basis(body.level),
            },
            "facts_title": _("The facts"),
            "facts": facts,
            "privacy": _(
                "The persons concerned agreed to be named by their code where it is given."
            )
            if named
            else _("This report names no person."),
            "request": _(
                "We ask you to intervene with the administrations concerned so that they obtain "
                "these data from the authentic source, and to let us know what follows."
            ),
            "closing": _("Yours faithfully,"),
            "signature": _("The director, %(association)s") % {"association": association.name},
        }


def letter_text(letter: dict) -> str:
    """The letter as plain text, to paste into a web form or an e-mail."""
    lines = [letter["sender"]["name"], *letter["sender"]["lines"], ""]
    lines += [letter["addressee"]["name"], *letter["addressee"]["lines"], ""]
    lines += [letter["issued_on"], "", letter["subject"], "", letter["salutation"], ""]
    lines += [letter["opening"], "", letter["facts_title"], ""]
    lines += [f"- {item}" for item in letter["facts"]]
    lines += ["", letter["privacy"], "", letter["request"], "", letter["closing"], ""]
    lines += [letter["signature"], ""]
    return "\n".join(lines)
