"""The incident sheet's own page: what it tells, the entries it documents, its history; and
its edit form, whose changes the history shows."""

import pytest
from django.test import Client

from audit.models import AuditEvent, ObjectType
from tests.api import conftest as api_fixtures

pytestmark = pytest.mark.django_db

world = api_fixtures.world


def _browser(api_client) -> Client:
    browser = Client()
    browser.force_login(api_client.user)
    return browser


def test_a_worker_reads_the_sheet_its_entries_and_its_history(world):
    sheet = world.mine.incident
    page = _browser(world.worker).get(f"/incidents/{sheet.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert "incident of mine" in text and "A narrative." in text
    assert f"/entries/{world.mine.entry.pk}/edit/" in text
    assert "created" in text


def test_an_edit_is_saved_audited_and_shown_in_the_history(world):
    sheet = world.mine.incident
    browser = _browser(world.worker)
    response = browser.post(
        f"/incidents/{sheet.pk}/edit/",
        {
            "occurred_on": "2025-03-15",
            "title": "Guichet fermé le lundi",
            "narrative": "A narrative.",
            "entries": [str(world.mine.entry.pk)],
        },
    )
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.title == "Guichet fermé le lundi"
    assert sheet.entries.get() == world.mine.entry
    event = AuditEvent.objects.filter(
        object_type=ObjectType.INCIDENT, object_id=str(sheet.pk), action="update"
    ).get()
    assert event.detail["fields"] == ["title"]
    page = browser.get(f"/incidents/{sheet.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "changed: title" in page.content.decode()


def test_a_bad_edit_names_the_field_and_changes_nothing(world):
    sheet = world.mine.incident
    response = _browser(world.worker).post(
        f"/incidents/{sheet.pk}/edit/", {"occurred_on": "2999-01-01", "title": "", "narrative": "x"}
    )
    assert response.status_code == 400
    sheet.refresh_from_db()
    assert sheet.title == "incident of mine"


def test_another_associations_sheet_is_not_found(world):
    sheet = world.mine.incident
    browser = _browser(world.other_worker)
    assert browser.get(f"/incidents/{sheet.pk}/").status_code == 404
    assert browser.get(f"/incidents/{sheet.pk}/edit/").status_code == 404
    assert browser.post(f"/incidents/{sheet.pk}/edit/", {"title": "x"}).status_code == 404


def test_an_analyst_is_refused_the_associations_sheet_page(world):
    assert _browser(world.analyst).get(f"/incidents/{world.mine.incident.pk}/").status_code == 403
