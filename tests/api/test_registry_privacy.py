"""The registry carries no personal data across associations: a body one association adds is
its own until validated, names are scanned, and duplicates are merged or retired."""

import pytest
from django.core.exceptions import ValidationError

from cases.models import AssistanceRequest
from cases.services import institution_merge
from referrals.models import Institution
from referrals.services import institution_create, institution_retire, institution_validate
from tests.api.conftest import entry_body
from tests.factories import AssociationFactory, InstitutionFactory, log_entry
from workload.selectors import monthly_table_for_association, period_parse
from workload.services import rollups_sweep_dirty

URL = "/api/v1/institutions/"


@pytest.mark.parametrize(
    "name",
    [
        "Jean Dupont 0470 12 34 56",
        "Marie 85.07.30-033.28",
        "jean.dupont@example.be",
        "Compte BE68 5390 0754 7034",
    ],
)
def test_a_name_holding_a_persons_identifier_is_refused_over_the_api(world, name):
    before = Institution.objects.count()
    response = world.worker.post(URL, {"name": name, "kind": "other"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    assert Institution.objects.count() == before


def test_another_association_cannot_name_a_body_it_cannot_see_in_an_entry(world):
    private = institution_create(
        name="Permanence du quartier", kind="association", association=world.mine.association
    )
    before = AssistanceRequest.objects.count()
    response = world.other_worker.post(
        "/api/v1/assistance-requests/", entry_body(referred_by=private.pk), format="json"
    )
    assert response.status_code == 400
    assert "referred_by" in response.json()
    assert AssistanceRequest.objects.count() == before
    # The association that added it may use it at once.
    response = world.worker.post(
        "/api/v1/assistance-requests/", entry_body(referred_by=private.pk), format="json"
    )
    assert response.status_code == 201


def test_a_retired_body_is_no_longer_offered_but_its_entries_keep_it(world):
    body = InstitutionFactory(name="Guichet fermé")
    entry = log_entry(world.mine.association, responsible_institution=body)
    institution_retire(institution=body)
    listed = world.worker.get(URL, {"name": "fermé"}).json()["results"]
    assert listed == []
    entry.refresh_from_db()
    assert entry.responsible_institution == body


def test_merging_a_duplicate_moves_the_entries_and_their_figures(world):
    association = AssociationFactory()
    original = InstitutionFactory(name="SPF Finances", kind="pub_fed")
    duplicate = institution_create(
        name="SPF Finance (doublon)", kind="pub_reg", association=association
    )
    entry = log_entry(association, responsible_institution=duplicate, duration_minutes=40)
    rollups_sweep_dirty()

    moved = institution_merge(source=duplicate, target=original)

    assert moved == 1
    entry.refresh_from_db()
    assert entry.responsible_institution == original
    assert entry.responsible_kind == "pub_fed"
    duplicate.refresh_from_db()
    assert duplicate.merged_into == original
    rollups_sweep_dirty()
    month = entry.month
    table = monthly_table_for_association(
        association=association,
        period=period_parse(month, month),
        group_by="responsible_institution",
    )
    groups = {row["group"]: row["minutes"] for row in table}
    assert groups == {original.pk: 40}


def test_a_body_cannot_be_merged_into_itself_or_into_a_retired_one(world):
    body = InstitutionFactory()
    with pytest.raises(ValidationError):
        institution_merge(source=body, target=body)
    retired = institution_retire(institution=InstitutionFactory())
    with pytest.raises(ValidationError):
        institution_merge(source=body, target=retired)


def test_validation_refuses_a_name_that_holds_an_identifier():
    association = AssociationFactory()
    body = Institution.objects.create(
        name="Appeler 0470 12 34 56", kind="association", added_by=association
    )
    with pytest.raises(ValidationError):
        institution_validate(institution=body)
    body.refresh_from_db()
    assert body.validated_at is None


def test_the_merge_command_moves_the_entries_and_refuses_an_unknown_id(world, capsys):
    from django.core.management import call_command

    duplicate = InstitutionFactory(name="CPAS d'Anderlecht (bis)", kind="cpas")
    target = InstitutionFactory(name="CPAS Anderlecht", kind="cpas")
    entry = log_entry(world.mine.association, referred_by=duplicate)
    call_command("merge_institutions", "--from", str(duplicate.pk), "--into", str(target.pk))
    entry.refresh_from_db()
    assert entry.referred_by == target
    assert "1 entries moved" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        call_command("merge_institutions", "--from", "999999", "--into", str(target.pk))
