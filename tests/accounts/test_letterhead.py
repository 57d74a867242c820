"""The director sets the letterhead the association's letters and receipts print: the postal
address, phone, e-mail, contact person, enterprise number and who signs. A wrong field is
named in the director's language and nothing is written; a worker cannot change it."""

import pytest
from django.contrib import admin

from organisations.admin import AssociationForm
from organisations.models import Association, Role
from tests.factories import AssociationFactory, MembershipFactory

URL = "/account/settings/letterhead/"
GOOD = {
    "street": "Rue de Fiennes 77",
    "postcode": "1070",
    "city": "Anderlecht",
    "phone": "+32 2 520 00 00",
    "email": "accueil@asbl.example",
    "contact_person": "Awa Diallo",
    "enterprise_number": "BE 0403 019 261",
    "signatory_name": "Marie Dupont",
}


@pytest.fixture
def association():
    return AssociationFactory(slug="asbl-letterhead", name="Service social")


@pytest.fixture
def director_client(client, association):
    client.force_login(MembershipFactory(organisation=association, role=Role.DIRECTOR).user)
    return client


def test_the_director_saves_the_letterhead_and_sees_it_again(director_client, association):
    response = director_client.post(URL, GOOD)

    assert response.status_code == 200
    association.refresh_from_db()
    assert association.street == "Rue de Fiennes 77" and association.city == "Anderlecht"
    assert association.phone == "+32 2 520 00 00"
    assert association.enterprise_number == "0403019261"  # its ten digits, however typed
    page = response.content.decode()
    assert "Paramètres enregistrés." in page
    assert 'value="0403.019.261"' in page and 'value="Marie Dupont"' in page


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("enterprise_number", "0403.019.262", "numéro d&#x27;entreprise (BCE)"),
        ("enterprise_number", "12", "numéro d&#x27;entreprise (BCE)"),
        ("phone", "call me", "numéro de téléphone"),
        ("phone", "02 12", "numéro de téléphone"),
        ("postcode", "10700", "code postal belge"),
        ("email", "not-an-address", "adresse e-mail valide"),
        ("street", "x" * 201, "trop long"),
    ],
)
def test_a_wrong_field_is_named_and_nothing_is_written(
    director_client, association, field, typed, message
):
    response = director_client.post(URL, {**GOOD, field: typed})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Rien n'a été enregistré" in page
    assert message in page
    assert f'name="{field}"' in page and 'aria-invalid="true"' in page
    association.refresh_from_db()
    assert association.street == "" and association.enterprise_number == ""


def test_the_errors_come_in_dutch_for_a_dutch_speaking_director(director_client):
    response = director_client.post(
        URL, {**GOOD, "enterprise_number": "0403.019.262"}, HTTP_ACCEPT_LANGUAGE="nl"
    )

    assert response.status_code == 400
    assert "ondernemingsnummer (KBO)" in response.content.decode()


def test_empty_boxes_clear_the_letterhead(director_client, association):
    director_client.post(URL, GOOD)

    director_client.post(URL, {name: "" for name in GOOD})

    association.refresh_from_db()
    assert association.street == "" and association.phone == ""


def test_a_worker_or_another_associations_director_cannot_change_it(client, association):
    worker = MembershipFactory(organisation=association, role=Role.WORKER).user
    client.force_login(worker)

    assert client.get(URL).status_code == 403
    assert client.post(URL, GOOD).status_code == 403

    other = AssociationFactory(slug="asbl-other")
    client.force_login(MembershipFactory(organisation=other, role=Role.DIRECTOR).user)
    client.post(URL, GOOD)
    association.refresh_from_db()
    assert association.street == ""
    assert Association.objects.get(slug="asbl-other").street == "Rue de Fiennes 77"


def test_the_settings_page_links_to_the_letterhead(director_client):
    assert URL in director_client.get("/account/settings/").content.decode()


def test_the_admin_refuses_a_wrong_enterprise_number_and_stores_a_right_one_compact(
    association,
):
    assert "enterprise_number" in str(admin.site._registry[Association].get_fieldsets(None))
    data = {
        "name": association.name,
        "slug": association.slug,
        "region": "bxl",
        "hourly_cost_eur": "40.00",
        "retention_years": "5",
        **GOOD,
    }

    wrong = AssociationForm({**data, "enterprise_number": "0403.019.262"}, instance=association)
    right = AssociationForm(data, instance=association)

    assert not wrong.is_valid() and "enterprise_number" in wrong.errors
    assert right.is_valid(), right.errors
    assert right.save().enterprise_number == "0403019261"


def test_an_enterprise_number_thousands_of_digits_long_is_refused_not_a_server_error(
    director_client, association
):
    response = director_client.post(URL, {**GOOD, "enterprise_number": "7" * 5000})

    assert response.status_code == 400
    assert "enterprise number" in response.content.decode().lower() or "BCE" in (
        response.content.decode()
    )
    association.refresh_from_db()
    assert association.enterprise_number == ""
