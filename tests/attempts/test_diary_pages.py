"""The contact-attempt diary on the Today page, without JavaScript: log an attempt in one line,
see it beside the day's entries, fix a mistake, delete and undo, never across associations."""

import pytest
from django.utils import timezone

from attempts.models import ContactAttempt
from referrals.models import Institution
from tests.factories import DEFAULT_PASSWORD, AssociationFactory, log_attempt, log_entry

URL = "/attempts/"


@pytest.fixture
def logged_in(client, worker):
    client.login(email=worker.email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def pensions():
    return Institution.objects.filter(kind="pub_fed").order_by("pk").first()


def post(client, **fields):
    return client.post(URL, fields, HTTP_ACCEPT_LANGUAGE="fr", follow=True)


def test_an_attempt_logged_in_one_line_shows_beside_the_days_entries(logged_in, pensions):
    response = post(
        logged_in,
        institution=pensions.pk,
        institution_search=pensions.name,
        channel="phone",
        result="line_saturated",
        waited_minutes="35",
    )

    assert response.status_code == 200
    attempt = ContactAttempt.objects.get()
    assert (attempt.occurred_on, attempt.institution, attempt.waited_minutes) == (
        timezone.localdate(),
        pensions,
        35,
    )
    assert attempt.institution_kind == pensions.kind
    html = response.content.decode()
    assert "Ligne saturée, file d&#x27;attente abandonnée" in html
    assert "1 tentative aujourd'hui, 0:35 perdues" in html


def test_the_diary_shows_the_phone_chosen_and_no_result(logged_in):
    html = logged_in.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert '<option value="phone" selected>' in html
    assert '<select id="attempt-result" name="result" data-attempt-result>' in html
    # No result is chosen for the worker: the empty choice is the one selected.
    assert '<option value="" selected>—' in html.split('id="attempt-result"')[1][:200]


def test_an_attempt_without_result_or_body_is_refused_naming_the_fields(logged_in):
    response = logged_in.post(
        URL, {"channel": "phone", "waited_minutes": "700"}, HTTP_ACCEPT_LANGUAGE="nl"
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="attempt-result-error"' in html
    assert 'id="attempt-minutes-error"' in html
    assert "600" in html
    assert not ContactAttempt.objects.exists()


def test_a_body_is_needed_or_its_kind(logged_in):
    response = logged_in.post(
        URL, {"channel": "counter", "result": "counter_closed", "waited_minutes": "20"}
    )

    assert response.status_code == 400
    assert 'id="attempt-institution_kind-error"' in response.content.decode()
    assert not ContactAttempt.objects.exists()


def test_an_attempt_may_name_an_entry_of_the_day(logged_in, worker, association):
    entry = log_entry(association, actor=worker, occurred_on=timezone.localdate())

    post(
        logged_in,
        institution_kind="cpas",
        channel="appointment",
        result="no_appointment",
        waited_minutes="12",
        assistance_request=str(entry.pk),
    )

    assert ContactAttempt.objects.get().assistance_request == entry


def test_delete_then_undo_brings_the_attempt_back(logged_in, worker, association):
    attempt = log_attempt(association, actor=worker, occurred_on=timezone.localdate())

    deleted = logged_in.post(f"/attempts/{attempt.pk}/delete/", follow=True)
    assert not ContactAttempt.objects.exists()
    assert "Annuler la suppression de la tentative" in deleted.content.decode()

    logged_in.post("/attempts/undo/", follow=True)
    back = ContactAttempt.objects.get()
    assert (back.waited_minutes, back.result, back.occurred_on) == (
        35,
        "line_saturated",
        timezone.localdate(),
    )


def test_another_associations_attempt_cannot_be_deleted(logged_in):
    theirs = log_attempt(AssociationFactory())

    response = logged_in.post(f"/attempts/{theirs.pk}/delete/")

    assert response.status_code == 404
    assert ContactAttempt.objects.filter(pk=theirs.pk).exists()
