"""Finding a body in the registry by the words a worker types, in any language."""

import pytest
from django.conf import settings
from django.utils import timezone

from referrals.models import Institution
from referrals.selectors import institutions_search
from referrals.services import institution_create, institution_retire
from tests.factories import AssociationFactory


def keys(query, association=None, language="fr", limit=10):
    found = institutions_search(
        query=query,
        association_id=association.pk if association else None,
        language=language,
        limit=limit,
    )
    return [body.key for body in found]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("namur", "cpas:92094"),
        ("OCMW Gent", "cpas:44021"),
        ("ocmw gent", "cpas:44021"),
        ("fortis", "bnp-paribas-fortis"),
        ("RVA", "onem"),
        ("onem", "onem"),
        ("impots", "spf_fin"),
        ("Impôts", "spf_fin"),
        ("FOD Financiën", "spf_fin"),
        ("myminfin", "spf_fin"),
        ("capac", "capac"),
        ("HVW", "capac"),
        ("riziv", "inami"),
        ("syndicat libéral", "cgslb"),
        ("le forem", "forem"),
        ("engie", "engie"),
        ("electrabel", "engie"),
        ("vivaqua", "vivaqua"),
        ("proximus", "proximus"),
        ("irisbox", "irisbox"),
        ("cpas online", "cpas-online"),
        ("oshz eupen", "cpas:63023"),
        ("cpas liege", "cpas:62063"),
        ("CPAS de Charleroi", "cpas:52011"),
        ("ocmw luik", "cpas:62063"),
        ("cpas anvers", "cpas:11002"),
        ("cpas ix", "cpas:21009"),
    ],
)
def test_a_body_is_found_by_any_of_its_names_accents_and_case_aside(query, first):
    assert keys(query)[0] == first


def test_namur_finds_the_cpas_and_the_commune_of_namur_first():
    assert keys("namur")[:2] == ["cpas:92094", "nis:92094"]


def test_a_postcode_finds_the_bodies_of_its_commune():
    # 5020 is one of Namur's postcodes, not the town hall's.
    assert set(keys("5020")[:2]) == {"cpas:92094", "nis:92094"}
    assert set(keys("1050")) >= {"cpas:21009", "nis:21009", "cpas:21004", "nis:21004"}


@pytest.mark.parametrize("query", ["mutuelle", "ziekenfonds", "mutualité"])
def test_a_generic_word_lists_the_bodies_of_that_kind(query):
    found = institutions_search(query=query, association_id=None, language="fr", limit=10)
    assert len(found) == 10
    assert {body.kind for body in found} == {"mutuality"}
    assert {"mutualite-chretienne", "solidaris", "partenamut", "helan", "caami"} <= {
        b.key
        for b in institutions_search(query=query, association_id=None, language="fr", limit=20)
    }


def test_syndicat_lists_the_three_unions_that_pay_benefits():
    assert set(keys("syndicat")[:3]) == {"fgtb", "csc", "cgslb"}


def test_the_bodies_of_the_associations_own_commune_come_first():
    in_namur = AssociationFactory(postcode="5000")
    in_gent = AssociationFactory(postcode="9000")
    assert keys("cpas", in_namur)[0] == "cpas:92094"
    assert keys("ocmw", in_gent)[0] == "cpas:44021"
    assert keys("commune", in_namur)[0] == "nis:92094"
    # Elsewhere, the word decides: nothing of Namur is ahead of the generic CPAS.
    assert keys("cpas")[0] != "cpas:92094"
    # The own commune never outranks a body that matches better than a substring.
    assert keys("rva", in_namur)[0] == "onem"


def test_only_the_bodies_the_association_may_see_are_found():
    mine, other = AssociationFactory(), AssociationFactory()
    added = institution_create(name="Bureau social de quartier", kind="other", association=mine)
    assert keys("bureau social de quartier", mine) == [None]
    assert keys("bureau social de quartier", other) == []
    institution_retire(institution=Institution.objects.get(key="mega"))
    assert "mega" not in keys("mega")
    assert added.search_text == "bureau social de quartier"


def test_a_body_added_with_a_postcode_is_found_by_its_commune():
    association = AssociationFactory(postcode="5000")
    added = institution_create(
        name="Relais social urbain", kind="association", postcode="5000", association=association
    )
    assert (added.municipality, added.region) == ("92094", "wal")
    found = institutions_search(query="relais namur", association_id=association.pk, language="fr")
    assert found == [added]


def test_names_are_searched_in_every_language_whatever_the_ui_language():
    assert keys("Rijksdienst voor Arbeidsvoorziening", language="fr")[0] == "onem"
    assert keys("Office national de l'emploi", language="nl")[0] == "onem"
    assert keys("Landesamt für Arbeitsbeschaffung", language="en")[0] == "onem"
    assert keys("National Employment Office", language="fr")[0] == "onem"


def test_an_edited_name_is_searched_at_once():
    body = Institution.objects.get(key="doccle")
    body.aliases = ["coffre-fort numérique"]
    body.save(update_fields=["aliases"])
    assert keys("coffre fort")[0] == "doccle"


def test_nothing_typed_finds_nothing():
    assert keys("") == [] and keys("  ' - ") == []
    assert institutions_search(query="cpas", association_id=None, language="fr", limit=0) == []


def test_the_lookup_page_names_bodies_in_the_ui_language(client, worker):
    from tests.factories import DEFAULT_PASSWORD

    client.login(email=worker.email, password=DEFAULT_PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    results = client.get("/lookup/institutions/?q=cpas ixelles").json()["results"]
    assert results[0]["name"] == "OCMW Elsene"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    results = client.get("/lookup/institutions/?q=ocmw elsene").json()["results"]
    assert results[0]["name"] == "CPAS d'Ixelles"


def test_a_retired_body_stays_named_by_the_entries_that_name_it():
    body = Institution.objects.get(key="octa-plus")
    body.retired_at = timezone.now()
    body.save(update_fields=["retired_at"])
    assert keys("octa") == []
    assert Institution.objects.get(pk=body.pk).search_text
