"""The orientation's closed loop in a real browser: the worker sends it from an entry, the
receiving service opens the e-mailed link in another browser with no account and accepts, the
worker sees the answer; a link past its eight days is refused."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from cases.services import person_create
from organisations.models import Role
from orientations import services
from orientations.models import Orientation
from tests.factories import DEFAULT_PASSWORD, AssociationFactory, MembershipFactory, log_entry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk():
    association = AssociationFactory(slug="asbl-loop", name="ASBL de Forest")
    worker = MembershipFactory(organisation=association, role=Role.WORKER).user
    person = person_create(association=association, code="LOOP-1", birth_year=1950)
    entry = log_entry(association, person=person, actor=worker, occurred_on=timezone.localdate())
    return association, worker, entry


def test_a_service_accepts_an_orientation_without_an_account(live_server, browser, desk):
    association, worker, entry = desk
    page = browser.new_context(locale="fr-BE").new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", worker.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/")

    # The worker sends an orientation from the day's entry
    page.click(f'#entry-{entry.pk} a[href$="/{entry.pk}/orient/"]')
    page.fill("#id_recipient_name", "Permanence numérique de Forest")
    page.fill("#id_recipient_email", "accueil@epn-forest.example.be")
    page.select_option("#id_recipient_language", "fr")
    page.fill("#id_need", "Une initiation au smartphone, sans urgence.")
    page.check("#id_consent")
    page.click("button[type=submit].primary")
    page.wait_for_selector("tr.orientation [data-status=sent]")
    link = re.search(r"https?://\S+/orientations/answer/\S+/", mail.outbox[-1].body)[0]

    # The receiving service opens the link in its own browser, never logged in
    service = browser.new_context(locale="fr-BE").new_page()
    service.goto(link)
    assert "Une initiation au smartphone" in service.inner_text("main")
    assert "LOOP-1" not in service.content()
    service.check("input[name=status][value=accepted]")
    service.click("button[type=submit].primary")
    service.wait_for_selector("[role=status]")

    # The worker sees the answer
    page.reload()
    assert page.locator("tr.orientation [data-status=accepted]").count() == 1

    # A link past its eight days is refused
    Orientation.objects.update(
        status="sent", sent_at=timezone.now() - dt.timedelta(days=8, minutes=1)
    )
    old = services.link_token(Orientation.objects.get())
    response = service.goto(f"{live_server.url}/orientations/answer/{old}/")
    assert response.status == 410
    assert "expiré" in service.inner_text("main")
