"""The director keeps the association's table of reference amounts (the monthly amount of a
benefit per procedure, with its source and date), which the entry form proposes. Another
association's rows are not found; a worker cannot change them."""

import datetime as dt
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from organisations.models import ReferenceAmount, Role
from organisations.reference_amounts import DEFAULT_REFERENCE_AMOUNTS
from tests.factories import AssociationFactory, MembershipFactory

URL = "/account/settings/reference-amounts/"


@pytest.fixture
def association():
    return AssociationFactory(slug="asbl-montants")


@pytest.fixture
def director_client(client, association):
    client.force_login(MembershipFactory(organisation=association, role=Role.DIRECTOR).user)
    return client


def rows(association):
    return list(ReferenceAmount.objects.for_association(association))


def new_row(**overrides):
    row = {
        "procedure_domain": "unemp.application",
        "situation": "Isolé",
        "monthly_eur": "1 234,56",
        "source_name": "ONEM",
        "source_url": "https://www.onem.be/",
        "valid_from": "2025-03-01",
    }
    row.update(overrides)
    return row


def test_a_new_association_starts_from_the_default_table(association):
    assert len(rows(association)) == len(DEFAULT_REFERENCE_AMOUNTS)
    ris = [r.monthly_eur for r in rows(association) if r.procedure_domain == "ris.application"]
    assert Decimal("1314.20") in ris


def test_the_director_sees_the_table_in_belgian_numbers_with_its_sources(director_client):
    page = director_client.get(URL).content.decode()
    assert "1\xa0314,20\xa0€" in page
    assert "SPP Intégration sociale" in page
    assert "check each one against its source" in page or "vérifiez" in page.lower()


def test_the_director_adds_an_amount_typed_with_a_decimal_comma(director_client, association):
    response = director_client.post(URL, new_row())
    assert response.status_code == 302
    added = ReferenceAmount.objects.for_association(association).get(
        procedure_domain="unemp.application"
    )
    assert (added.monthly_eur, added.valid_from) == (Decimal("1234.56"), dt.date(2025, 3, 1))
    assert AuditEvent.objects.filter(association=association).exists()
    page = director_client.get(URL).content.decode()
    assert "1\xa0234,56\xa0€" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("monthly_eur", "beaucoup", "amount in euros"),
        ("monthly_eur", "12,345", "at most two decimals"),
        ("monthly_eur", "0", "above 0"),
        ("monthly_eur", "20000", "above 0"),
        ("monthly_eur", "", "monthly amount"),
        ("procedure_domain", "tax.nothing", "not a known code"),
        ("procedure_domain", "", "Choose the procedure"),
        ("source_name", "", "Name the source"),
        ("source_url", "javascript:alert(1)", "address of the source"),
        ("valid_from", "31/02/2025", "valid date"),
        ("valid_from", "", "valid from"),
    ],
)
def test_a_wrong_field_is_refused_by_name_and_nothing_is_added(
    director_client, association, field, value, message
):
    before = len(rows(association))
    response = director_client.post(URL, new_row(**{field: value}), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="new-{field}"' in page and 'aria-invalid="true"' in page
    assert message.lower() in page.lower()
    assert len(rows(association)) == before


def test_the_error_is_in_the_directors_language(director_client):
    response = director_client.post(URL, new_row(monthly_eur="beaucoup"), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 400
    assert "bedrag in euro" in response.content.decode().lower()


def test_the_director_edits_and_deletes_a_row(director_client, association):
    row = rows(association)[0]
    edit = f"{URL}{row.pk}/"
    form = director_client.get(edit).content.decode()
    assert 'value="' + f"{row.monthly_eur}".replace(".", ",") + '"' in form
    response = director_client.post(edit, new_row(procedure_domain=row.procedure_domain))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.monthly_eur == Decimal("1234.56")
    assert director_client.post(f"{edit}delete/").status_code == 302
    assert not ReferenceAmount.objects.filter(pk=row.pk).exists()


def test_another_associations_row_is_not_found(director_client, association):
    theirs = rows(AssociationFactory(slug="asbl-voisine"))[0]
    before = (theirs.monthly_eur, theirs.source_name)
    assert director_client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert director_client.post(f"{URL}{theirs.pk}/", new_row()).status_code == 404
    assert director_client.post(f"{URL}{theirs.pk}/delete/").status_code == 404
    theirs.refresh_from_db()
    assert (theirs.monthly_eur, theirs.source_name) == before
    assert f'data-reference-amount="{theirs.pk}"' not in director_client.get(URL).content.decode()


def test_a_worker_can_neither_see_nor_change_the_table(client, association):
    client.force_login(MembershipFactory(organisation=association, role=Role.WORKER).user)
    row = rows(association)[0]
    assert client.get(URL).status_code == 403
    assert client.post(URL, new_row()).status_code == 403
    assert client.post(f"{URL}{row.pk}/", new_row()).status_code == 403
    assert client.post(f"{URL}{row.pk}/delete/").status_code == 403
    assert len(rows(association)) == len(DEFAULT_REFERENCE_AMOUNTS)


def test_the_settings_page_links_to_the_table(director_client):
    assert URL in director_client.get("/account/settings/").content.decode()
