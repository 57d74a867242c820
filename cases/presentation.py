"""What the worker's pages and the person's receipt say: labels in the reader's language,
the receipt's sentences, durations as people read them, the options and chips of the forms.

Nothing here reads the database or decides what is valid: the views hand it rows from the
selectors, and `cases.services` keeps every rule.
"""

from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from privacy import identifiers
from rendering import numbers
from taxonomy import get_taxonomy

from .models import LANGUAGE_CODES

# The languages a receipt can really be printed in: the product's three, and German, an
# official language of Belgium (its own catalogue for the receipt's words and the taxonomy's
# German labels of what a receipt names).
RECEIPT_LANGUAGES = ("fr", "nl", "en", "de")
RECEIPT_LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English", "de": "Deutsch"}
# How many chips of a multiple choice are shown before "more" when no one chose which: the
# first ones (the association chooses its barriers).
VISIBLE_CHIPS = 8

PERSON_LANGUAGES = (
    ("fr", "Français"),
    ("nl", "Nederlands"),
    ("en", "English"),
    ("de", "Deutsch"),
    ("ar", "العربية"),
    ("tr", "Türkçe"),
    ("es", "Español"),
    ("pt", "Português"),
    ("ro", "Română"),
    ("pl", "Polski"),
    ("other", "…"),
)

MODE_SENTENCES = {
    "do_for": gettext_lazy("Your social worker did the procedure for you."),
    "do_with": gettext_lazy("You did the procedure together with your social worker."),
    "inform": gettext_lazy("Your social worker explained the letter or the procedure to you."),
    "orient_epn": gettext_lazy(
        "Your social worker sent you to a public digital space (EPN) for help with the computer."
    ),
    "orient_other": gettext_lazy("Your social worker sent you to another service."),
    "intercede": gettext_lazy("Your social worker contacted the institution for you."),
    "non_digital_alt": gettext_lazy(
        "Your social worker asked the institution for a way without internet: a counter, "
        "a paper form or a phone call."
    ),
    "accompany": gettext_lazy("Your social worker went with you to the counter."),
    "complaint": gettext_lazy("Your social worker helped you make a complaint or a report."),
}
OUTCOME_SENTENCES = {
    "resolved": gettext_lazy("The procedure is done. There is nothing more to do."),
    "partial": gettext_lazy("Part of the procedure is done. Come back for the rest."),
    "pending_inst": gettext_lazy(
        "We are waiting for the institution's answer. Keep its letters and come back when it "
        "answers."
    ),
    "pending_person": gettext_lazy(
        "You still need to bring documents or codes. Come back with them."
    ),
    "postponed_technical": gettext_lazy(
        "The website or the system did not work. Come back so that we can try again."
    ),
    "redirected": gettext_lazy("Another service will help you further."),
    "abandoned": gettext_lazy("You chose to stop this procedure. You can come back at any time."),
    "impossible": gettext_lazy(
        "There was no way to do this procedure. Come back if you want to try another way."
    ),
    "rights_lost": gettext_lazy(
        "You may have lost a right. Come back if you want help to contest it."
    ),
}
CONSENT_SENTENCES = {
    "written": gettext_lazy("You gave your written consent."),
    "oral": gettext_lazy("You gave your consent orally."),
    "none": gettext_lazy("You did not give your consent."),
    "not_applicable": gettext_lazy("No password, code or personal data of yours was used."),
}


def page_language() -> str:
    """The language of the page being answered, as the taxonomy labels it ("fr", "nl"...)."""
    return (get_language() or "fr")[:2]


# --- the log's rows ---------------------------------------------------------------------------


def entry_minutes(minutes: int) -> str:
    """One entry's duration, in the minutes the worker typed; totals are hours
    (`rendering.numbers.hours`)."""
    return _("%(m)d min") % {"m": minutes}


def kind_or_institution(kind, institution, language) -> str:
    if institution is not None:
        return institution.name
    return get_taxonomy().label("referrer_types", kind, language)


# The actions an app above the log adds to each entry's row, as (URL name taking the entry's
# id, label): orientations registers "Orient" here, so the log's templates need not name it.
ENTRY_ACTIONS: list[tuple[str, str]] = []


def entry_rows(entries, language) -> list[dict]:
    """Each entry with the labels its row shows."""
    taxonomy = get_taxonomy()
    rows = []
    for entry in entries:
        rows.append(
            {
                "entry": entry,
                "procedure": taxonomy.label("procedure_domains", entry.procedure_domain, language),
                "referrer": kind_or_institution(entry.referrer_kind, entry.referred_by, language),
                "responsible": kind_or_institution(
                    entry.responsible_kind, entry.responsible_institution, language
                ),
                "mode": taxonomy.label("assistance_modes", entry.mode, language),
                "outcome": taxonomy.label("outcomes", entry.outcome, language),
                "barriers": [
                    taxonomy.label("digital_barriers", b.code, language)
                    for b in entry.barriers.all()
                ],
                "actions": [
                    (reverse(name, args=[entry.pk]), label) for name, label in ENTRY_ACTIONS
                ],
            }
        )
    return rows


def incident_rows(sheets, language) -> list[dict]:
    """Each sheet with the entries it is linked to (day and procedure), for the list."""
    taxonomy = get_taxonomy()
    return [
        {
            "sheet": sheet,
            "entries": [
                {
                    "entry": entry,
                    "procedure": taxonomy.label(
                        "procedure_domains", entry.procedure_domain, language
                    ),
                }
                for entry in sheet.entries.all()
            ],
        }
        for sheet in sheets
    ]


def incident_detail(sheet, language) -> dict:
    """A sheet's codes in words and the entries it documents, for its own page."""
    taxonomy = get_taxonomy()
    return {
        "procedure": (
            taxonomy.label("procedure_domains", sheet.procedure_domain, language)
            if sheet.procedure_domain
            else ""
        ),
        "responsible_kind": (
            taxonomy.label("referrer_types", sheet.responsible_kind, language)
            if sheet.responsible_kind
            else ""
        ),
        "barriers": [taxonomy.label("digital_barriers", b, language) for b in sheet.barriers or []],
        "entry_rows": entry_rows(list(sheet.entries.all()), language),
    }


def incident_history(events, language) -> list[dict]:
    """The sheet's audit events as its page tells them: when, what, which fields. Who did it
    stays in the trail (a log event never names its worker to the director)."""
    field_labels = {
        "occurred_on": _("date"),
        "title": _("title"),
        "narrative": _("narrative"),
        "procedure_domain": _("procedure"),
        "responsible_kind": _("kind of responsible body"),
        "responsible_institution": _("responsible body"),
        "barriers": _("barriers"),
        "entries": _("linked entries"),
        "shared": _("sharing with the federation"),
    }
    return [
        {
            "at": event.at,
            "action": event.get_action_display(),
            "fields": [str(field_labels.get(f, f)) for f in event.detail.get("fields", [])],
        }
        for event in events
    ]


def entry_summary(entry, language) -> str:
    """What the "undo" notice names of a deleted entry: its procedure and duration."""
    procedure = get_taxonomy().label("procedure_domains", entry.procedure_domain, language)
    return f"{procedure} — {entry_minutes(entry.duration_minutes)}"


# --- the person's receipt ---------------------------------------------------------------------


def receipt_language(requested, entry) -> str | None:
    """The language asked for, else the person's, else the page's (one the receipt is printed
    in); None when a language was asked for that the receipt cannot be printed in."""
    if requested:
        return requested if requested in RECEIPT_LANGUAGES else None
    person_language = entry.person.language if entry.person else ""
    if person_language in RECEIPT_LANGUAGES:
        return person_language
    return page_language() if page_language() in RECEIPT_LANGUAGES else "fr"


def receipt(entry, language) -> dict:
    """What the receipt says, in `language` (call it with that language active): what was
    done, for whom, what next. Never the notes (they may hold identifiers) nor the code."""
    institution = entry.responsible_institution
    return {
        "procedure": get_taxonomy().label("procedure_domains", entry.procedure_domain, language),
        "body": institution.display_name(language)
        if institution is not None
        else get_taxonomy().label("referrer_types", entry.responsible_kind, language),
        "next_appointment": entry.next_appointment,
        "done": str(MODE_SENTENCES.get(entry.mode, "")),
        "consent": str(CONSENT_SENTENCES.get(entry.consent, "")),
        "next": str(OUTCOME_SENTENCES.get(entry.outcome, "")),
        "sensitive": bool(entry.sensitive_flag_codes),
        "at_stake": receipt_at_stake(entry, language),
        # Done in the person's place: the mandate it was done under, named for the person.
        "mandate": entry.mandate if entry.mode == "do_for" else None,
    }


# The impacts whose months are delayed (to come) and those whose months are lost (METRICS.md's
# rights_delayed_value_eur and rights_lost_value_eur).
DELAYED_IMPACTS = ("delay", "temp_loss")
LOST_IMPACTS = ("partial_loss", "total_loss")


def receipt_at_stake(entry, language) -> dict | None:
    """What the situation puts at stake for the person's rights, for the receipt: the impact,
    the months of the benefit delayed or lost times its monthly amount, the fees borne, in
    euros as the receipt's language writes them. None when the entry records no impact."""
    impact = entry.rights_impact or "none"
    if impact == "none":
        return None
    lines = []
    months, monthly = entry.right_months or 0, entry.right_monthly_eur or 0
    if months and monthly:
        values = {
            "months": numbers.integer(months, language),
            "monthly": numbers.euros(monthly, language),
            "total": numbers.euros(months * monthly, language),
        }
        if impact in LOST_IMPACTS:
            text = ngettext(
                "%(months)s month of a benefit of %(monthly)s a month is lost: %(total)s.",
                "%(months)s months of a benefit of %(monthly)s a month are lost: %(total)s.",
                months,
            )
        elif impact in DELAYED_IMPACTS:
            text = ngettext(
                "%(months)s month of a benefit of %(monthly)s a month is delayed: %(total)s.",
                "%(months)s months of a benefit of %(monthly)s a month are delayed: %(total)s.",
                months,
            )
        else:
            text = ngettext(
                "%(months)s month of a benefit of %(monthly)s a month is at stake: %(total)s.",
                "%(months)s months of a benefit of %(monthly)s a month are at stake: %(total)s.",
                months,
            )
        lines.append(text % values)
    if entry.extra_cost_eur:
        lines.append(
            _("Fees, fines or interest you bore because of it: %(amount)s.")
            % {"amount": numbers.euros(entry.extra_cost_eur, language)}
        )
    return {
        "impact": get_taxonomy().label("rights_impacts", impact, language),
        "lines": lines,
    }


def receipt_sender(association) -> dict:
    """What the receipt says of the association, so the person knows where to come back and
    whom to call."""
    town = " ".join(part for part in (association.postcode, association.city) if part)
    return {
        "name": association.name,
        "lines": [line for line in (association.street, town) if line],
        "phone": association.phone,
        "email": association.email,
    }


# --- identifiers in free text -----------------------------------------------------------------


def identifiers_found_message(findings) -> str:
    return _("This text contains a %(kinds)s: mask it, or keep it on purpose.") % {
        "kinds": identifiers.kinds_found(findings)
    }


def identifier_finding(finding) -> dict:
    return {**finding.as_dict(), "label": str(identifiers.LABELS[finding.kind])}


def institution_option(institution, language) -> dict:
    """An institution as the search-as-you-type list shows it."""
    name = institution.display_name(language)
    return {
        "id": institution.pk,
        "name": name,
        "postcode": institution.postcode,
        "kind": institution.kind,
        "kind_label": get_taxonomy().label("referrer_types", institution.kind, language),
        "label": f"{name} ({institution.postcode})" if institution.postcode else name,
    }


# --- the forms' options -----------------------------------------------------------------------


def code_choices(section: str, blank: bool = False) -> list[tuple[str, str]]:
    choices = get_taxonomy().choices(section, page_language())
    return [("", "—")] + choices if blank else choices


def procedure_choices() -> list:
    """Procedures grouped under their domain; the domain itself is the first option."""
    taxonomy, language = get_taxonomy(), page_language()
    groups, current = [("", "—")], None
    for code in taxonomy.sections["procedure_domains"]:
        if code.parent is None:
            current = [(code.code, code.label(language))]
            groups.append((code.label(language), current))
        else:
            current.append((code.code, code.label(language)))
    return groups


def grouped_options(value, choices):
    """(group label, [(code, label, selected)]) for a <select> with optgroups."""
    value = value or ""
    groups = []
    for code, label in choices:
        if isinstance(label, list | tuple):
            groups.append((code, [(c, lbl, c == value) for c, lbl in label]))
        else:
            groups.append(("", [(code, label, code == value)]))
    return groups


def person_language_choices() -> list[tuple[str, str]]:
    return [(code, label) for code, label in PERSON_LANGUAGES if code in LANGUAGE_CODES]


def chips(choices, selected, shown_codes=None) -> tuple[list, list]:
    """(shown, more) chips of a multiple choice, each as (code, label, checked), both in the
    order of `choices` (the taxonomy's): a chip never moves with what was ticked before, so
    the hand finds it where it was. `shown_codes` are the codes shown before "more" (the
    first VISIBLE_CHIPS when not given); a checked code under "more" opens it."""
    selected = set(selected or [])
    if shown_codes is None:
        shown_codes = [code for code, _label in choices[:VISIBLE_CHIPS]]
    shown_codes = set(shown_codes)
    shown = [(*c, c[0] in selected) for c in choices if c[0] in shown_codes]
    more = [(*c, c[0] in selected) for c in choices if c[0] not in shown_codes]
    return shown, more
