"""The person's receipt: who to come back to (the association's address and phone), when
(the next appointment, if the worker gave one), in a language it is really printed in."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import AssistanceRequest
from organisations.services import association_update_letterhead
from tests.factories import DEFAULT_PASSWORD, PersonFactory, entry_form_data, log_entry

# What the receipt says, in each of its languages.
NEXT_APPOINTMENT_WORDS = {
    "fr": "Votre prochain rendez-vous",
    "nl": "Uw volgende afspraak",
    "en": "Your next appointment",
    "de": "Ihr nächster Termin",
}
# The appointment day as each language writes it (a Tuesday).
APPOINTMENT = dt.date(2026, 3, 10)
APPOINTMENT_WORDS = {
    "fr": "mardi 10 mars 2026",
    "nl": "dinsdag 10 maart 2026",
    "en": "Tuesday 10 March 2026",
    "de": "Dienstag 10 März 2026",
}
TITLE = {
    "fr": "Note de votre visite",
    "nl": "Nota van uw bezoek",
    "en": "Note of your visit",
    "de": "Notiz zu Ihrem Besuch",
}


@pytest.fixture
def logged_in(client, worker):
    client.login(email=worker.email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def letterhead(association):
    return association_update_letterhead(
        association=association,
        values={
            "street": "Rue de la Clinique 12",
            "postcode": "1070",
            "city": "Anderlecht",
            "phone": "02 521 00 00",
            "email": "accueil@example.be",
        },
    )


@pytest.fixture
def entry(association, worker):
    return log_entry(
        association,
        actor=worker,
        occurred_on=dt.date(2026, 3, 2),
        procedure_domain="tax.pit_return",
        responsible_kind="pub_fed",
        outcome="pending_person",
        next_appointment=APPOINTMENT,
    )


@pytest.mark.parametrize("language", ["fr", "nl", "en", "de"])
def test_the_receipt_gives_the_associations_address_phone_and_the_next_appointment(
    logged_in, letterhead, entry, language
):
    response = logged_in.get(f"/entries/{entry.pk}/receipt/?lang={language}")

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert TITLE[language] in page
    assert "Service social d&#x27;Anderlecht" in page
    assert "Rue de la Clinique 12" in page and "1070 Anderlecht" in page
    assert "02 521 00 00" in page
    assert NEXT_APPOINTMENT_WORDS[language] in page
    assert APPOINTMENT_WORDS[language] in page


def test_the_german_receipt_names_the_procedure_and_what_comes_next_in_german(
    logged_in, letterhead, entry
):
    page = logged_in.get(f"/entries/{entry.pk}/receipt/?lang=de").content.decode()

    assert "Einkommensteuererklärung" in page
    assert "Föderaler öffentlicher Dienst" in page
    assert "Sie müssen noch Dokumente oder Codes bringen" in page
    assert "Drucken" in page


def test_the_receipt_is_offered_in_french_dutch_english_and_german(logged_in, entry):
    page = logged_in.get(f"/entries/{entry.pk}/receipt/").content.decode()

    for code in ("fr", "nl", "en", "de"):
        assert f'href="?lang={code}"' in page
    assert 'href="?lang=ar"' not in page


def test_a_person_who_speaks_german_gets_the_receipt_in_german(logged_in, association, worker):
    person = PersonFactory(association=association, code="D-1", language="de")
    entry = log_entry(association, actor=worker, person=person)

    page = logged_in.get(f"/entries/{entry.pk}/receipt/").content.decode()

    assert '<html lang="de">' in page


@pytest.mark.parametrize("language", ["ar", "xx", "<script>", "fr-BE", "DE"])
def test_a_language_the_receipt_is_not_printed_in_is_refused_with_a_clear_message(
    logged_in, entry, language
):
    response = logged_in.get(f"/entries/{entry.pk}/receipt/", {"lang": language})

    assert response.status_code == 400
    page = response.content.decode()
    assert "ne peut pas être imprimée dans cette langue" in page
    assert "FR, NL, EN, DE" in page
    assert "<script>" not in page.split("<body>")[1]


def test_without_an_appointment_or_an_address_the_receipt_says_nothing_of_them(
    logged_in, association, worker
):
    entry = log_entry(association, actor=worker)

    page = logged_in.get(f"/entries/{entry.pk}/receipt/?lang=en").content.decode()

    assert "Your next appointment" not in page
    assert "call us on" not in page
    assert "Service social d&#x27;Anderlecht" in page


def test_the_next_appointment_is_saved_from_the_workers_form_and_may_lie_ahead(
    logged_in, association
):
    today = timezone.localdate()
    ahead = today + dt.timedelta(days=14)

    response = logged_in.post(
        "/",
        entry_form_data(outcome="partial", next_appointment=ahead.isoformat()),
    )

    assert response.status_code in (200, 302)
    assert AssistanceRequest.objects.get().next_appointment == ahead


def test_an_appointment_before_the_visit_is_refused_on_its_field(logged_in):
    today = timezone.localdate()

    response = logged_in.post(
        "/",
        entry_form_data(next_appointment=(today - dt.timedelta(days=1)).isoformat()),
    )

    assert response.status_code == 400
    assert "ne peut pas précéder le jour de la visite" in response.content.decode()
    assert not AssistanceRequest.objects.exists()
