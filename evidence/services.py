"""Writes of the federation's evidence: releases, and a director's choice to stop sharing.

The signed bundles of associations on their own servers are in `bundles.py`.
"""

import hashlib
import re

from django.db import transaction
from django.utils import timezone

from organisations.models import Association, Federation
from organisations.services import association_set_sharing
from referrals.models import Institution
from workload.metrics import METRICS_VERSION, PUBLISHED_METRICS
from workload.models import INSTITUTION_DIMENSIONS, TOTAL
from workload.selectors import Period

from .canonical import canonical_json
from .differencing import release_contributions
from .models import Release
from .selectors import MIN_ASSOCIATIONS, ReleaseDraft, release_draft

METHODOLOGY = {
    "fr": (
        "Agrégats de la fédération {federation} pour la période {start} à {end}, calculés selon "
        "les définitions des métriques, version {metrics_version}, à partir des journaux des "
        "associations membres qui partagent leurs chiffres ({associations} associations ont "
        "contribué). Contrôle de la divulgation : une cellule qui compte moins de {k} demandes, "
        "ou à laquelle moins de 3 associations contribuent, est masquée (valeur nulle, "
        "« suppressed »), avec toutes ses métriques ; lorsqu'une seule cellule d'un mois est "
        "masquée dans un tableau ventilé, la plus petite autre cellule de ce mois l'est aussi, "
        "pour qu'aucune valeur masquée ne se déduise par soustraction. Par obstacle, une demande "
        "à deux obstacles compte dans les deux groupes et une demande sans obstacle dans aucun. "
        "La valeur en euros additionne les valeurs non arrondies de chaque association, à son "
        "propre coût horaire, puis arrondit au cent. Aucune personne, aucune demande et aucune "
        "association n'est nommée."
    ),
    "nl": (
        "Aggregaten van de federatie {federation} voor de periode {start} tot {end}, berekend "
        "volgens de definities van de indicatoren, versie {metrics_version}, uit de registers "
        "van de aangesloten verenigingen die hun cijfers delen ({associations} verenigingen "
        "droegen bij). Controle op onthulling: een cel met minder dan {k} aanvragen, of waaraan "
        "minder dan 3 verenigingen bijdragen, wordt verborgen (waarde leeg, « suppressed »), met "
        "al haar indicatoren; wanneer in een uitgesplitste tabel precies één cel van een maand "
        "verborgen is, wordt ook de kleinste andere cel van die maand verborgen, zodat geen "
        "verborgen waarde door aftrekking te vinden is. Per drempel telt een aanvraag met twee "
        "drempels in beide groepen en een aanvraag zonder drempel in geen enkele. De waarde in "
        "euro telt de onafgeronde waarden van elke vereniging op, elk tegen haar eigen uurkost, "
        "en rondt dan af op de cent. Geen persoon, geen aanvraag en geen vereniging wordt "
        "genoemd."
    ),
    "en": (
        "Aggregates of the federation {federation} for the period {start} to {end}, computed by "
        "the metric definitions, version {metrics_version}, from the logs of the member "
        "associations that share their figures ({associations} associations contributed). "
        "Disclosure control: a cell counting fewer than {k} requests, or to which fewer than 3 "
        'associations contribute, is suppressed (null value, "suppressed"), every metric with '
        "it; when exactly one cell of a month is suppressed in a grouped table, the smallest "
        "other cell of that month is suppressed too, so that no suppressed value can be found "
        "by subtraction. By barrier, a request with two barriers counts in both groups and a "
        "request without a barrier in none. The euro value sums each association's unrounded "
        "value, each at its own hourly cost, then rounds to the cent. No person, no request and "
        "no association is named."
    ),
}


# The rule of METRICS.md on releases compared with earlier ones, and which were compared.
DIFFERENCING = {
    "fr": (
        " Comparaison avec les publications antérieures : lorsque la période recoupe celle "
        "d'une publication antérieure de la fédération et que les associations contributrices "
        "diffèrent, toute cellule du recoupement dont la différence avec la même cellule de "
        "cette publication provient de moins de 3 associations, ou compte moins de {k} "
        "demandes, est masquée, puis le masquage secondaire est appliqué à nouveau, y compris "
        "aux sommes de cellules masquées que deux publications permettent de soustraire ; "
        "ainsi, les chiffres d'une association ne se déduisent pas de deux publications. "
    ),
    "nl": (
        " Vergelijking met eerdere publicaties: wanneer de periode overlapt met die van een "
        "eerdere publicatie van de federatie en de bijdragende verenigingen verschillen, wordt "
        "elke cel van de overlap waarvan het verschil met dezelfde cel van die publicatie van "
        "minder dan 3 verenigingen komt, of minder dan {k} aanvragen telt, verborgen, waarna "
        "de secundaire verberging opnieuw wordt toegepast, ook op de sommen van verborgen "
        "cellen die twee publicaties laten aftrekken; zo zijn de cijfers van een vereniging "
        "niet uit twee publicaties af te leiden. "
    ),
    "en": (
        " Comparison with earlier releases: when the period overlaps that of an earlier "
        "release of the federation and the contributing associations differ, every cell of "
        "the overlap whose difference with that release's same cell comes from fewer than 3 "
        "associations, or counts fewer than {k} requests, is suppressed, then secondary "
        "suppression applies again, also to the sums of suppressed cells that two releases "
        "let one subtract; so no association's figures can be found from two releases. "
    ),
}
COMPARED = {
    "fr": (
        "Cette publication a été comparée aux publications {versions}.",
        "Aucune publication antérieure n'a dû être comparée à celle-ci.",
    ),
    "nl": (
        "Deze publicatie werd vergeleken met de publicaties {versions}.",
        "Geen enkele eerdere publicatie moest met deze worden vergeleken.",
    ),
    "en": (
        "This release was compared with releases {versions}.",
        "No earlier release needed comparing with this one.",
    ),
}


# A preview's fingerprint: anything else cannot name a release (nor reach the database,
# which on PostgreSQL refuses a NUL in a comparison).
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")


class ReleaseChanged(Exception):
    """What would be published is no longer what the analyst confirmed."""

    def __init__(self, draft: ReleaseDraft):
        super().__init__("the figures changed since the preview")
        self.draft = draft


def _methodology(facts: dict, compared: list[int]) -> dict:
    versions = ", ".join(str(version) for version in compared)
    texts = {}
    for language, text in METHODOLOGY.items():
        done, none = COMPARED[language]
        comparison = done.format(versions=versions) if compared else none
        texts[language] = (text + DIFFERENCING[language]).format(**facts) + comparison
    return texts


def release_institution_labels(tables: dict) -> dict:
    """Names of the bodies the release shows figures for. A body seen only in suppressed
    cells stays an opaque number: its name alone would tell that some member helped someone
    with it, the very fact the suppression hides."""
    ids = {
        row["group"]
        for dimension in INSTITUTION_DIMENSIONS
        for row in tables[dimension]
        if row["group"] is not None and not row["suppressed"]
    }
    return {
        str(institution.pk): {"name": institution.name, "kind": institution.kind}
        for institution in Institution.objects.filter(pk__in=ids)
    }


def _content(federation, period, draft: ReleaseDraft, version, previous, published_at) -> dict:
    """What a release publishes, canonically serialised and hashed by `release_publish`."""
    k, associations = draft.disclosure.k, draft.associations
    compared = draft.disclosure.compared_versions
    facts = {
        "federation": federation.name,
        "start": period.start,
        "end": period.end,
        "metrics_version": METRICS_VERSION,
        "associations": associations,
        "k": k,
    }
    return {
        "federation": {"slug": federation.slug, "name": federation.name},
        "version": version,
        "from": period.start,
        "to": period.end,
        "published_at": published_at.isoformat(),
        "k": k,
        "min_associations": MIN_ASSOCIATIONS,
        "associations": associations,
        "metrics_version": METRICS_VERSION,
        "metrics": list(PUBLISHED_METRICS),
        "supersedes": previous.version if previous else None,
        "compared_with": compared,
        "methodology": _methodology(facts, compared),
        "institutions": release_institution_labels(draft.tables),
        "tables": draft.tables,
    }


@transaction.atomic
def release_publish(
    federation: Federation, period: Period, actor=None, *, confirmed: str | None = None
) -> Release:
    """Freeze the federation's suppressed tables for a period as the next release.

    The content (tables, k, metric definitions' version, methodology in fr/nl/en, the
    earlier releases it was compared with) is serialised canonically and hashed; a release
    of the same period published earlier is marked as superseded by this one, and this one
    names the version it supersedes. Who contributed what to each cell is kept apart, never
    published, for later releases to be compared with. With `confirmed` (the fingerprint of
    the preview the analyst saw), raise ReleaseChanged rather than publish anything else,
    and return the release already published from that preview if there is one: a
    confirmation sent twice (a double click, a resent form, a stale tab) publishes once.
    """
    # Serialise publications of one federation: versions are consecutive and unique, and a
    # second confirmation waits here until the first one's release is there to be found.
    Federation.objects.select_for_update().filter(pk=federation.pk).first()
    if confirmed and _FINGERPRINT.fullmatch(confirmed):
        already = Release.objects.filter(federation=federation, confirmation=confirmed).first()
        if already is not None:
            return already
    draft = release_draft(federation, period, parts=True)
    if confirmed is not None and confirmed != draft.fingerprint:
        raise ReleaseChanged(draft)
    previous = (
        Release.objects.current()
        .filter(federation=federation, period_start=period.start, period_end=period.end)
        .order_by("-version")
        .first()
    )
    version = draft.version
    published_at = timezone.now()
    content = _content(federation, period, draft, version, previous, published_at)
    text = canonical_json(content)
    release = Release(
        federation=federation,
        version=version,
        period_start=period.start,
        period_end=period.end,
        k=draft.disclosure.k,
        associations=draft.associations,
        metrics_version=METRICS_VERSION,
        content=text.decode("utf-8"),
        sha256=hashlib.sha256(text).hexdigest(),
        contributions=release_contributions(
            {(group_by or TOTAL): cells for group_by, cells in draft.disclosure.cells.items()},
            draft.disclosure.contributors,
        ),
        suppression=draft.reasons_by_table(),
        confirmation=confirmed or "",
        published_at=published_at,
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    release.save()
    if previous is not None:
        # The one change a release ever gets, written as a single-column UPDATE.
        Release.objects.filter(pk=previous.pk, superseded_by__isnull=True).update(
            superseded_by=release
        )
    return release


def association_stop_sharing(*, association: Association, federation: Federation, actor=None):
    """A director withdraws the association's figures from every new aggregate and release
    of the federation (published releases stay as they were published)."""
    return association_set_sharing(association=association, federation=federation, shares=False)


def association_resume_sharing(*, association: Association, federation: Federation, actor=None):
    return association_set_sharing(association=association, federation=federation, shares=True)
