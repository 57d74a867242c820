"""Dossiers addressed to one institution: built by a director from the association's sheets
or by an analyst from the federation's shared ones, with the statements' figures, exported
as PDF, and followed up (sent, answered, fixed)."""

import datetime as dt

import pytest

from audit.models import AuditEvent, ObjectType
from dossiers.models import Dossier
from dossiers.services import dossier_create
from rendering.pdf import pdf_available
from tests.workload.test_exports import pdf_text
from workload.selectors import Period, statements_for_association

from .conftest import browser_for

URL = "/api/v1/dossiers/"


def _body(world, sheets, **overrides):
    body = {
        "institution": world.cpas.pk,
        "period_from": "2025-01",
        "period_to": "2025-06",
        "sheets": [s.pk for s in sheets],
    }
    body.update(overrides)
    return body


def test_a_director_builds_a_dossier_with_the_associations_statement(federation_world):
    world = federation_world
    mine = world.mine
    response = world.director_api.post(
        URL, _body(world, [mine.sheet, mine.unshared]), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == {"kind": "association", "name": "Association témoin 0"}
    assert sorted(body["sheets"]) == sorted([mine.sheet.pk, mine.unshared.pk])
    statement = next(
        s
        for s in statements_for_association(
            association=mine.association, period=Period("2025-01", "2025-06")
        )
        if s["institution"] and s["institution"]["id"] == world.cpas.pk
    )
    assert body["figures"]["transferred_requests"] == statement["transferred_requests"] == 2
    assert body["figures"]["transferred_minutes"] == 120
    assert body["figures"]["transferred_value_eur"] == str(statement["transferred_value_eur"])
    assert body["figures"]["suppressed"] is False


def test_an_analyst_builds_a_dossier_from_shared_sheets_with_summed_figures(federation_world):
    world = federation_world
    sheets = [m.sheet for m in world.members[:3]]
    response = world.analyst_api.post(URL, _body(world, sheets), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"]["kind"] == "federation"
    # Three sharing associations, two transferred entries each (k = 5 by default).
    assert body["figures"]["transferred_requests"] == 6
    assert body["figures"]["associations"] == 3
    assert body["figures"]["suppressed"] is False


def test_an_analysts_figures_are_withheld_under_the_disclosure_rule(federation_world):
    world = federation_world
    world.federation.disclosure_k = 7
    world.federation.save()
    response = world.analyst_api.post(URL, _body(world, [world.mine.sheet]), format="json")
    figures = response.json()["figures"]
    assert figures["suppressed"] is True
    assert figures["transferred_requests"] is None


def test_an_analyst_cannot_put_an_unshared_sheet_in_a_dossier(federation_world):
    world = federation_world
    before = Dossier.objects.count()
    response = world.analyst_api.post(URL, _body(world, [world.mine.unshared]), format="json")
    assert response.status_code == 400
    assert "sheets" in response.json()
    assert Dossier.objects.count() == before


def test_a_director_cannot_put_another_associations_sheet_in_a_dossier(federation_world):
    world = federation_world
    response = world.director_api.post(URL, _body(world, [world.members[1].sheet]), format="json")
    assert response.status_code == 400
    assert "sheets" in response.json()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"period_from": "2025-13"}, "period_from"),
        ({"period_from": "March"}, "period_from"),
        ({"period_from": "2025-06", "period_to": "2025-01"}, "period_to"),
        ({"institution": 999999999}, "institution"),
        ({"institution": "cpas"}, "institution"),
        ({"sheets": []}, "sheets"),
        ({"sheets": "all"}, "sheets"),
        ({"sent_on": "yesterday"}, "sent_on"),
        ({"fixed": "maybe"}, "fixed"),
    ],
)
def test_a_bad_dossier_body_gets_400_naming_the_field(federation_world, overrides, field):
    world = federation_world
    before = Dossier.objects.count()
    body = {**_body(world, [world.mine.sheet]), **overrides}
    response = world.director_api.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Dossier.objects.count() == before


def _dossier(world, **owner):
    owner = owner or {"association": world.mine.association}
    return dossier_create(
        **owner,
        institution=world.cpas,
        period_from="2025-01",
        period_to="2025-06",
        sheets=[world.mine.sheet],
        title="Dossier CPAS",
    )


def test_the_reply_is_recorded_and_audited(federation_world):
    world = federation_world
    dossier = _dossier(world)
    response = world.director_api.patch(
        f"{URL}{dossier.pk}/",
        {
            "sent_on": "2025-07-01",
            "replied_on": "2025-07-20",
            "reply": "Un guichet physique rouvre le mardi.",
            "fixed": "partly",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["fixed"] == "partly"
    dossier.refresh_from_db()
    assert dossier.replied_on == dt.date(2025, 7, 20)
    event = AuditEvent.objects.filter(object_type=ObjectType.DOSSIER).first()
    assert event.detail["fields"] == ["fixed", "replied_on", "reply", "sent_on"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sent_on": "2025-07-10", "replied_on": "2025-07-01"}, "replied_on"),
        ({"replied_on": "2025-07-01"}, "sent_on"),
        ({"sent_on": "2999-01-01"}, "sent_on"),
        (
            {"sent_on": "2025-07-01", "replied_on": "2025-07-02", "reply": "Tél 0470 12 34 56"},
            "reply",
        ),
        ({"fixed": "perhaps"}, "fixed"),
    ],
)
def test_a_bad_reply_gets_400_naming_the_field_and_changes_nothing(federation_world, body, field):
    world = federation_world
    dossier = _dossier(world)
    response = world.director_api.patch(f"{URL}{dossier.pk}/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    dossier.refresh_from_db()
    assert dossier.sent_on is None and dossier.reply == ""


def test_another_owners_dossier_is_not_found(federation_world):
    world = federation_world
    theirs = _dossier(world)
    federations = _dossier(world, federation=world.federation)
    for client, dossier in (
        (world.other_director_api, theirs),
        (world.analyst_api, theirs),
        (world.stranger_api, federations),
        (world.director_api, federations),
    ):
        assert client.get(f"{URL}{dossier.pk}/").status_code == 404
        assert (
            client.patch(f"{URL}{dossier.pk}/", {"fixed": "no"}, format="json").status_code == 404
        )
        assert client.get(f"{URL}{dossier.pk}/pdf/").status_code == 404
        assert dossier.pk not in {d["id"] for d in client.get(URL).json()["results"]}
    page = browser_for(world.stranger).get(f"/dossiers/{federations.pk}/")
    assert page.status_code == 404


def test_a_worker_gets_403_on_dossiers(federation_world):
    world = federation_world
    assert world.worker_api.get(URL).status_code == 403
    assert browser_for(world.worker_api.user).get("/dossiers/").status_code == 403


def test_a_sheet_unshared_since_leaves_the_federations_dossier(federation_world):
    world = federation_world
    dossier = _dossier(world, federation=world.federation)
    world.mine.sheet.shared = False
    world.mine.sheet.save()
    assert world.analyst_api.get(f"{URL}{dossier.pk}/").json()["sheets"] == []


@pytest.mark.skipif(not pdf_available(), reason="WeasyPrint's system libraries are missing")
def test_the_dossier_pdf_tells_the_facts_the_figures_and_the_reply(federation_world):
    world = federation_world
    dossier = _dossier(world, federation=world.federation)
    dossier.sheets.add(world.members[1].sheet, world.members[2].sheet)
    world.analyst_api.patch(
        f"{URL}{dossier.pk}/",
        {"sent_on": "2025-07-01", "replied_on": "2025-07-20", "reply": "Guichet rouvert."},
        format="json",
    )
    response = world.analyst_api.get(f"{URL}{dossier.pk}/pdf/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert "Dossier CPAS" in text
    assert "Guichet fermé 1" in text and "Guichet fermé 2" in text
    assert "Appeler le" in text and "0470" not in text
    assert "Association témoin" not in text
    assert "Guichet rouvert." in text
    assert "6" in text  # six transferred requests over the three sharing members
