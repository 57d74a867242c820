"""The subcontracting statement tells the body how much of the work done in the person's place
was done without a mandate in force (METRICS.md do_for_without_mandate), on the page, in its
exports and through the API, from the same entries as its other figures; and a person's page
offers to record their first mandate."""

import datetime as dt

import pytest
from django.test import Client

from cases.services import person_create
from mandates import services
from organisations.models import Role
from tests.factories import MembershipFactory, log_entry
from workload.selectors import period_parse, statements_for_association

DAY = dt.date(2026, 2, 10)


@pytest.fixture
def log(association):
    person = person_create(association=association, code="P-7", language="fr")
    services.mandate_create(
        association=association,
        person=person.pk,
        scopes=["tax"],
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        form="paper",
    )
    transferred = {
        "occurred_on": DAY,
        "responsible_kind": "pub_fed",
        "barriers": ["upload"],
        "mode": "do_for",
        "consent": "oral",
    }
    # Covered by the mandate; outside its scope; without a person: two without a mandate.
    log_entry(association, person=person, procedure_domain="tax.pit_return", **transferred)
    log_entry(association, person=person, procedure_domain="ris.application", **transferred)
    log_entry(association, person=None, procedure_domain="tax.pit_return", **transferred)
    # Done with the person: no mandate needed, and not counted.
    log_entry(association, person=person, **{**transferred, "mode": "do_with"})
    return association


def test_the_statement_counts_the_work_done_without_a_mandate(log):
    (statement,) = statements_for_association(
        association=log, period=period_parse("2026-02", "2026-02")
    )

    assert statement["do_for_requests"] == 3
    assert statement["do_for_without_mandate"] == 2


def test_the_statement_page_shows_it_in_french(log):
    client = Client()
    client.force_login(MembershipFactory(organisation=log, role=Role.DIRECTOR).user)

    page = client.get(
        "/workload/statements/kind-pub_fed/?from=2026-02&to=2026-02&lang=fr"
    ).content.decode()

    assert "dont sans mandat en vigueur" in page
    assert 'data-figure="do_for_without_mandate">2<' in page
    assert 'data-figure="do_for_requests">3<' in page


def test_the_statements_api_gives_it_too(log, api_client):
    director = MembershipFactory(organisation=log, role=Role.DIRECTOR).user
    api_client.force_authenticate(director)

    response = api_client.get("/api/v1/workload/statements/?from=2026-02&to=2026-02")

    assert response.status_code == 200
    (statement,) = response.json()["statements"]
    assert (statement["do_for_requests"], statement["do_for_without_mandate"]) == (3, 2)


def test_a_person_without_a_mandate_has_the_way_to_record_one_on_their_page(association):
    person = person_create(association=association, code="P-8", language="fr")
    client = Client()
    client.force_login(MembershipFactory(organisation=association, role=Role.WORKER).user)

    page = client.get(f"/persons/{person.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert f'href="/persons/{person.pk}/mandates/new/"' in page
    assert "Enregistrer un mandat" in page


def test_the_mandate_lookup_answers_a_code_holding_a_nul_without_failing(association):
    client = Client()
    client.force_login(MembershipFactory(organisation=association, role=Role.WORKER).user)

    response = client.get(
        "/lookup/mandate/", {"person_code": "a\x00b", "procedure_domain": "tax.pit_return"}
    )

    assert response.status_code == 200
    assert response.json()["mandate"] is None
