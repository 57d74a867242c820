"""Writes of the federation's evidence: releases, and a director's choice to stop sharing.

The signed bundles of associations on their own servers are in `bundles.py`.
"""

import hashlib

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from organisations.models import Association, Federation
from organisations.services import association_set_sharing
from referrals.models import Institution
from workload.metrics import METRICS_VERSION, PUBLISHED_METRICS
from workload.models import DIMENSIONS, INSTITUTION_DIMENSIONS
from workload.selectors import Period

from .canonical import canonical_json
from .models import Release
from .selectors import federation_k, federation_tables

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


def _tables(federation: Federation, period: Period) -> tuple[dict, int]:
    tables = federation_tables(federation, period, [None, *DIMENSIONS])
    named = {(group_by or "total"): table["rows"] for group_by, table in tables.items()}
    return named, tables[None]["associations"]


def _institution_labels(tables: dict) -> dict:
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


@transaction.atomic
def release_publish(federation: Federation, period: Period, actor=None) -> Release:
    """Freeze the federation's suppressed tables for a period as the next release.

    The content (tables, k, metric definitions' version, methodology in fr/nl/en) is
    serialised canonically and hashed; a release of the same period published earlier is
    marked as superseded by this one, and this one names the version it supersedes.
    """
    # Serialise publications of one federation: versions are consecutive and unique.
    Federation.objects.select_for_update().filter(pk=federation.pk).first()
    previous = (
        Release.objects.current()
        .filter(federation=federation, period_start=period.start, period_end=period.end)
        .order_by("-version")
        .first()
    )
    version = (
        Release.objects.filter(federation=federation).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    published_at = timezone.now()
    k = federation_k(federation)
    tables, associations = _tables(federation, period)
    facts = {
        "federation": federation.name,
        "start": period.start,
        "end": period.end,
        "metrics_version": METRICS_VERSION,
        "associations": associations,
        "k": k,
    }
    content = {
        "federation": {"slug": federation.slug, "name": federation.name},
        "version": version,
        "from": period.start,
        "to": period.end,
        "published_at": published_at.isoformat(),
        "k": k,
        "min_associations": 3,
        "associations": associations,
        "metrics_version": METRICS_VERSION,
        "metrics": list(PUBLISHED_METRICS),
        "supersedes": previous.version if previous else None,
        "methodology": {lang: text.format(**facts) for lang, text in METHODOLOGY.items()},
        "institutions": _institution_labels(tables),
        "tables": tables,
    }
    text = canonical_json(content)
    release = Release(
        federation=federation,
        version=version,
        period_start=period.start,
        period_end=period.end,
        k=k,
        associations=associations,
        metrics_version=METRICS_VERSION,
        content=text.decode("utf-8"),
        sha256=hashlib.sha256(text).hexdigest(),
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
