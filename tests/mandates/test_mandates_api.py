"""A person's mandate through the published API (API.md `/api/v1/mandates/`): a term of at
most a year, a revocation that keeps the mandate, the printed wording's hash, the audit trail,
and do_for_without_mandate as METRICS.md defines it."""

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from cases.services import person_create
from mandates import presentation, services
from mandates.models import Mandate
from rendering import pdf
from tests.factories import AssociationFactory, log_entry
from workload.selectors import monthly_table_for_association, period_parse
from workload.services import rollups_sweep_dirty

TODAY = timezone.localdate()


@pytest.fixture
def person(association):
    return person_create(association=association, code="P-42", language="nl")


def body(person, **overrides):
    return {
        "person": person.pk,
        "scopes": ["tax"],
        "starts_on": (TODAY - dt.timedelta(days=30)).isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=200)).isoformat(),
        "form": "paper",
        **overrides,
    }


def test_a_worker_records_a_mandate_and_gets_its_wording_hash(worker_client, person):
    response = worker_client.post("/api/v1/mandates/", body(person), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["person"] == person.pk
    assert data["scopes"] == ["tax"]
    assert data["form"] == "paper"
    assert data["revoked_on"] is None
    mandate = Mandate.objects.get(pk=data["id"])
    # Re-rendering the printed wording gives the stored hash: proof of what was agreed.
    assert data["consent_text_sha256"] == presentation.wording_sha256(
        presentation.mandate_lines(mandate)
    )
    assert mandate.language == "nl"
    assert AuditEvent.objects.filter(object_type="mandate", action="create").count() == 1


def test_a_mandate_longer_than_a_year_is_refused_naming_the_end_date(worker_client, person):
    starts = dt.date(2026, 3, 1)
    response = worker_client.post(
        "/api/v1/mandates/",
        body(person, starts_on="2026-03-01", ends_on="2027-03-02"),
        format="json",
    )
    assert response.status_code == 400
    assert "ends_on" in response.json()
    assert not Mandate.objects.exists()
    # Exactly a year is allowed.
    ok = worker_client.post(
        "/api/v1/mandates/",
        body(person, starts_on=starts.isoformat(), ends_on="2027-03-01"),
        format="json",
    )
    assert ok.status_code == 201


def test_the_refusal_speaks_the_callers_language(worker_client, person):
    response = worker_client.post(
        "/api/v1/mandates/",
        body(person, starts_on="2026-03-01", ends_on="2028-01-01"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["ends_on"]
    assert "un an" in errors["ends_on"][0]


def test_revoking_keeps_the_mandate_and_refuses_a_date_in_the_future(worker_client, person):
    mandate_id = worker_client.post("/api/v1/mandates/", body(person), format="json").json()["id"]
    future = worker_client.post(
        f"/api/v1/mandates/{mandate_id}/revoke/",
        {"revoked_on": (TODAY + dt.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert future.status_code == 400 and "revoked_on" in future.json()
    response = worker_client.post(f"/api/v1/mandates/{mandate_id}/revoke/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["revoked_on"] == TODAY.isoformat()
    assert worker_client.get(f"/api/v1/mandates/{mandate_id}/").json()["revoked_on"] == (
        TODAY.isoformat()
    )
    assert AuditEvent.objects.filter(object_type="mandate", action="revoke").count() == 1


def test_another_associations_mandate_is_not_found(worker_client):
    other = AssociationFactory(slug="elsewhere")
    stranger = person_create(association=other, code="X-1")
    mandate = services.mandate_create(
        association=other,
        person=stranger.pk,
        scopes=["tax"],
        starts_on=TODAY,
        ends_on=TODAY,
        form="in_person",
    )
    assert worker_client.get(f"/api/v1/mandates/{mandate.pk}/").status_code == 404
    assert worker_client.post(f"/api/v1/mandates/{mandate.pk}/revoke/").status_code == 404
    assert worker_client.post("/api/v1/mandates/", body(stranger), format="json").status_code == 400


def test_do_for_without_mandate_follows_creation_revocation_and_expiry(association, person):
    month = period_parse("2026-02", "2026-02")

    def figure():
        rollups_sweep_dirty()
        (row,) = monthly_table_for_association(association=association, period=month)
        return row["do_for_without_mandate"]

    covered = log_entry(
        association,
        person=person,
        mode="do_for",
        procedure_domain="tax.pit_return",
        occurred_on=dt.date(2026, 2, 10),
    )
    log_entry(
        association,
        person=person,
        mode="do_for",
        procedure_domain="ris.application",
        occurred_on=dt.date(2026, 2, 10),
    )
    log_entry(
        association,
        person=None,
        mode="do_for",
        procedure_domain="tax",
        occurred_on=dt.date(2026, 2, 10),
    )
    log_entry(
        association,
        person=person,
        mode="do_with",
        procedure_domain="tax",
        occurred_on=dt.date(2026, 2, 10),
    )
    assert figure() == 3
    mandate = services.mandate_create(
        association=association,
        person=person.pk,
        scopes=["tax"],
        starts_on=dt.date(2026, 2, 1),
        ends_on=dt.date(2026, 2, 10),
        form="paper",
    )
    covered.refresh_from_db()
    assert covered.mandate == mandate
    assert figure() == 2
    # Revoked on the day of the entry: no longer in force that day.
    services.mandate_revoke(mandate=mandate, revoked_on=dt.date(2026, 2, 10))
    assert figure() == 3
    # Expiry records the end once, and changes no figure.
    later = services.mandate_create(
        association=association,
        person=person.pk,
        scopes=["tax", "ris"],
        starts_on=dt.date(2026, 2, 10),
        ends_on=dt.date(2026, 2, 10),
        form="in_person",
    )
    assert figure() == 1
    assert services.mandates_expire(today=dt.date(2026, 2, 11)) == 1
    assert services.mandates_expire(today=dt.date(2026, 2, 11)) == 0
    assert (
        AuditEvent.objects.filter(
            object_type="mandate", action="expire", object_id=str(later.pk)
        ).count()
        == 1
    )
    assert figure() == 1


@pytest.mark.skipif(not pdf.pdf_available(), reason="WeasyPrint is not installed here")
def test_the_printed_form_shows_the_scopes_and_the_term(association, person):
    import io

    from pypdf import PdfReader

    mandate = services.mandate_create(
        association=association,
        person=person.pk,
        scopes=["tax", "ris"],
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2027, 2, 28),
        form="paper",
    )
    content = pdf.pdf_bytes(
        "mandates/pdf/mandate.html",
        {"mandate": mandate, "lines": presentation.mandate_lines(mandate), "language": "nl"},
    )
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = " ".join(text.split())
    assert mandate.reference in text
    assert "1 maart 2026" in text and "28 februari 2027" in text
    assert mandate.consent_text_sha256 in text
