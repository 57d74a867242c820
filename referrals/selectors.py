"""Reads of the institution registry and of orientations out, always from one association's
point of view."""

from organisations.models import Association

from .models import Institution, Referral
from .registry import LANGUAGES, municipalities_of_postcode
from .search_text import words


def institutions_list_for_association(*, association_id: int | None):
    """The bodies an association may see and choose (the shared registry and its own)."""
    return Institution.objects.visible_to(association_id).order_by("name", "id")


def institutions_list_awaiting_validation(*, association_ids):
    """Bodies added by these associations that no one has validated for everyone yet."""
    return (
        Institution.objects.awaiting_validation()
        .filter(added_by_id__in=association_ids)
        .select_related("added_by")
        .order_by("created_at", "id")
    )


def institutions_search(
    *, query: str, association_id: int | None, language: str | None, limit: int = 10
) -> list[Institution]:
    """The bodies an association may choose whose names, acronyms, aliases, postcode or commune
    hold every word typed, accents and case aside, best first:

    1. a word match before a mere substring ("rva" inside "Observatoire");
    2. then the bodies of the association's own commune;
    3. then a name, acronym or alias equal to what was typed ("onem", "OCMW Gent", "5000"),
       before a name starting with it, before the other word matches;
    4. then the shorter name shown in `language`, then that name.

    The candidates are ranked on their search column alone (tuples, no model instances): "c"
    holds the whole registry and must still answer while the worker types.
    """
    typed = words(query)
    if not typed or limit <= 0:
        return []
    name_field = f"name_{_lang(language)}"
    bodies = Institution.objects.visible_to(association_id)
    for word in dict.fromkeys(typed):
        bodies = bodies.filter(search_text__contains=word)
    home = set(_home_municipalities(association_id))
    whole = " ".join(typed)
    ranked = sorted(
        bodies.values_list("id", "search_text", "municipality", name_field, "name"),
        key=lambda row: _rank(row, typed, whole, home),
    )[:limit]
    found = Institution.objects.in_bulk([row[0] for row in ranked])
    return [found[row[0]] for row in ranked]


def _lang(language: str | None) -> str:
    code = (language or "fr")[:2]
    return code if code in LANGUAGES else "fr"


def _home_municipalities(association_id: int | None) -> tuple[str, ...]:
    if association_id is None:
        return ()
    postcode = (
        Association.objects.filter(pk=association_id).values_list("postcode", flat=True).first()
    )
    return municipalities_of_postcode(postcode or "")


def _rank(row: tuple, typed: list[str], whole: str, home: set) -> tuple:
    pk, text, municipality, shown, name = row
    shown = shown or name
    # Terms are separated by " | " and words by spaces: a word starts after a space.
    spaced, bounded = f" {text}", f"| {text} |"
    word_match = all(f" {word}" in spaced for word in typed)
    if f"| {whole} |" in bounded:
        closeness = 0
    elif f"| {whole}" in bounded:
        closeness = 1
    else:
        closeness = 2
    own = municipality in home
    return (not word_match, not own, closeness, len(shown), shown.casefold(), pk)


def referrals_for_person(*, association_id: int, person_id: int):
    """The orientations out an association made for one of its persons (through the entries
    they came from), newest first, with the body each one names."""
    return (
        Referral.objects.filter(
            association_id=association_id,
            assistance_request__association_id=association_id,
            assistance_request__person_id=person_id,
        )
        .select_related("institution", "assistance_request")
        .order_by("-referred_on", "-id")
    )
