"""The pages: the worker sends an orientation from an entry and sees the answer; the
receiving service opens its link with no account and sees only what was consented to."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orientations import services
from orientations.models import Orientation
from tests.factories import AssociationFactory, MembershipFactory, log_entry

from .conftest import send

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_browser(desk):
    browser = Client()
    browser.force_login(desk.worker)
    return browser


def form(desk, **overrides):
    data = {
        "institution": str(desk.body.pk),
        "institution_search": desk.body.name,
        "recipient_email": "accueil@epn.example.be",
        "recipient_language": "nl",
        "need": "Hulp bij de bankapp.",
        "shares": ["language"],
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_the_worker_sends_an_orientation_from_an_entry(desk, worker_browser):
    url = reverse("orientations:create", args=[desk.entry.pk])
    page = worker_browser.get(url)
    assert page.status_code == 200
    response = worker_browser.post(url, form(desk), follow=True)
    assert response.status_code == 200
    assert "EPN de Saint-Gilles" in response.content.decode()
    assert len(mail.outbox) == 1 and "Doorverwijzing" in mail.outbox[0].subject


def test_a_send_without_consent_shows_the_reason_and_sends_nothing(desk, worker_browser):
    url = reverse("orientations:create", args=[desk.entry.pk])
    data = form(desk)
    data.pop("consent")
    response = worker_browser.post(url, data, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "La personne doit accepter" in response.content.decode()
    assert not Orientation.objects.exists() and not mail.outbox


def test_another_associations_entry_cannot_be_oriented(desk, worker_browser):
    stranger = log_entry(AssociationFactory(slug="elsewhere"))
    url = reverse("orientations:create", args=[stranger.pk])
    assert worker_browser.get(url).status_code == 404
    assert worker_browser.post(url, form(desk)).status_code == 404
    assert not Orientation.objects.exists()


def test_the_receiving_service_sees_the_need_and_only_what_was_consented(desk):
    orientation = send(desk, now=timezone.now(), shares=["language"])
    service = Client()  # no account, no session
    page = service.get(reverse("orientations:answer", args=[services.link_token(orientation)]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Apprendre à utiliser l" in body and "Nederlands" in body
    # Nothing the person did not consent to: not the code, the year of birth, the postcode.
    for withheld in ("ORI-1", "1961", "1060 ", desk.worker.email):
        assert withheld not in body


def test_the_service_answers_and_the_worker_sees_the_answer(desk, worker_browser):
    orientation = send(desk, now=timezone.now())
    url = reverse("orientations:answer", args=[services.link_token(orientation)])
    service = Client()
    refused = service.post(url, {"status": "refused", "reason": ""})
    assert refused.status_code == 400
    answered = service.post(url, {"status": "refused", "reason": "Plus de place."}, follow=True)
    assert answered.status_code == 200
    listed = worker_browser.get(reverse("orientations:list")).content.decode()
    assert 'data-status="refused"' in listed and "Plus de place." in listed
    today = worker_browser.get(reverse("cases:today")).content.decode()
    assert 'data-status="refused"' in today


def test_an_expired_link_says_so(desk):
    orientation = send(desk, now=timezone.now() - dt.timedelta(days=8, minutes=1))
    page = Client().get(reverse("orientations:answer", args=[services.link_token(orientation)]))
    assert page.status_code == 410
    assert "expiré" in page.content.decode()


def test_an_altered_link_finds_nothing(desk):
    orientation = send(desk, now=timezone.now())
    token = services.link_token(orientation)
    page = Client().get(reverse("orientations:answer", args=[token[:-1] + "A"]))
    assert page.status_code == 404


def test_the_list_holds_only_the_associations_own_orientations(desk):
    send(desk, now=timezone.now())
    outsider = MembershipFactory(organisation=AssociationFactory(slug="outsiders")).user
    browser = Client()
    browser.force_login(outsider)
    assert "EPN de Saint-Gilles" not in browser.get(reverse("orientations:list")).content.decode()


def test_the_dashboard_shows_the_orientation_figures(desk):
    orientation = send(desk, now=timezone.now())
    services.orientation_answer(token=services.link_token(orientation), status="accepted")
    director = MembershipFactory(organisation=desk.association, role="director").user
    browser = Client()
    browser.force_login(director)
    page = browser.get(reverse("workload:dashboard"), HTTP_ACCEPT_LANGUAGE="fr")
    body = page.content.decode()
    assert 'id="orientations"' in body and "EPN de Saint-Gilles" in body
    assert 'data-figure="accepted">1<' in body
