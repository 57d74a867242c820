"""The registry every association finds from day one: the 19 Brussels CPAS and communes and the
taxonomy's institutions."""

from referrals.models import INSTITUTION_KINDS, Institution
from referrals.registry import BRUSSELS_MUNICIPALITIES, seed_registry
from taxonomy import get_taxonomy

BRUSSELS_POSTCODES = {postcode for postcode, _fr, _nl in BRUSSELS_MUNICIPALITIES}


def test_there_are_19_brussels_municipalities():
    assert len(BRUSSELS_MUNICIPALITIES) == 19
    assert len(BRUSSELS_POSTCODES) == 19


def test_the_registry_holds_the_19_brussels_cpas():
    cpas = Institution.objects.filter(kind="cpas", code__isnull=True)
    assert cpas.count() == 19
    assert set(cpas.values_list("postcode", flat=True)) == BRUSSELS_POSTCODES
    assert cpas.get(postcode="1050").name == "CPAS d'Ixelles / OCMW Elsene"


def test_the_registry_holds_the_19_brussels_communes():
    communes = Institution.objects.filter(kind="commune", code__isnull=True)
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
