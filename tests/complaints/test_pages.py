"""The director's complaint pages: choosing Once-Only entries, the pre-filled letter, its PDF
and plain text, the tracking form; another association's complaint is not found."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from complaints import services
from complaints.models import Complaint
from organisations.models import Role
from rendering.pdf import pdf_available
from tests.factories import AssociationFactory, MembershipFactory, log_entry

from .conftest import once_only_entry

pytestmark = pytest.mark.usefixtures("bodies")
needs_pdf = pytest.mark.skipif(
    not pdf_available(), reason="WeasyPrint's system packages are not installed"
)


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def browser_of(director):
    client = Client()
    client.force_login(director)
    return client


def test_the_director_sees_only_the_once_only_entries_to_choose(browser_of, association, housing):
    once_only_entry(association, responsible_institution=housing)
    log_entry(association, barriers=["itsme"])
    page = browser_of.get(reverse("complaints:create")).content.decode()
    assert page.count('name="entries"') == 1
    assert "composition de ménage" in page
    assert "Logement bruxellois" in page


def test_a_worker_may_not_open_the_complaints(client, worker):
    client.force_login(worker)
    assert client.get(reverse("complaints:list")).status_code == 403


def test_generating_from_two_entries_shows_the_prefilled_letter(browser_of, association, housing):
    entries = [
        once_only_entry(
            association, occurred_on=dt.date(2026, 10, day), responsible_institution=housing
        )
        for day in (6, 8)
    ]
    response = browser_of.post(
        reverse("complaints:create"),
        {"entries": [str(e.pk) for e in entries], "language": "fr", "addressed_to": ""},
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:detail", args=[complaint.pk])
    page = browser_of.get(response["Location"]).content.decode()
    assert "Le 6 octobre 2026" in page and "Le 8 octobre 2026" in page
    assert "easy.brussels" in page
    assert "signalement de 2 situation(s)" in page


def test_no_entry_chosen_is_refused_naming_the_field(browser_of, association):
    once_only_entry(association)
    response = browser_of.post(
        reverse("complaints:create"),
        {"language": "fr", "addressed_to": ""},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert "Choisissez au moins une entrée Once Only." in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_plain_text_download_is_the_letter(browser_of, association, housing):
    entry = once_only_entry(association, responsible_institution=housing)
    complaint = services.complaint_create(
        association=association, entries=[entry.pk], language="nl"
    )
    response = browser_of.get(reverse("complaints:text", args=[complaint.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Geachte mevrouw, geachte heer," in text
    assert "composition de ménage" in text


@needs_pdf
def test_the_pdf_holds_the_facts_and_the_addressee(browser_of, association, housing):
    entries = [
        once_only_entry(
            association, occurred_on=dt.date(2026, 10, day), responsible_institution=housing
        )
        for day in (6, 8)
    ]
    complaint = services.complaint_create(
        association=association, entries=[e.pk for e in entries], language="fr"
    )
    response = browser_of.get(reverse("complaints:pdf", args=[complaint.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert "easy.brussels" in text
    assert "Le 6 octobre 2026, Logement bruxellois a demandé" in text
    assert "Registre national" in text
    assert "Ce signalement ne nomme aucune personne." in text


def test_tracking_the_complaint_saves_its_dates(browser_of, association):
    complaint = services.complaint_create(
        association=association, entries=[once_only_entry(association).pk]
    )
    response = browser_of.post(
        reverse("complaints:detail", args=[complaint.pk]),
        {
            "status": "sent",
            "sent_on": "2026-10-10",
            "answered_on": "",
            "answer": "",
            "closed_on": "",
        },
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.sent_on) == ("sent", dt.date(2026, 10, 10))
    listing = browser_of.get(reverse("complaints:list")).content.decode()
    assert "10/10/2026" in listing


def test_tracking_a_sent_status_without_its_date_names_the_field(browser_of, association):
    complaint = services.complaint_create(
        association=association, entries=[once_only_entry(association).pk]
    )
    response = browser_of.post(
        reverse("complaints:detail", args=[complaint.pk]),
        {"status": "sent", "sent_on": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert 'id="sent_on-error"' in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == "draft"


def test_another_associations_complaint_is_not_found(browser_of):
    theirs = AssociationFactory()
    complaint = services.complaint_create(association=theirs, entries=[once_only_entry(theirs).pk])
    for name in ("complaints:detail", "complaints:pdf", "complaints:text"):
        assert browser_of.get(reverse(name, args=[complaint.pk])).status_code == 404
    response = browser_of.post(
        reverse("complaints:detail", args=[complaint.pk]), {"status": "closed"}
    )
    assert response.status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == "draft"


def test_the_statement_counts_the_complaints_about_its_institution(
    browser_of, association, housing
):
    from workload.services import rollups_sweep_dirty

    entry = once_only_entry(
        association,
        occurred_on=dt.date(2026, 10, 6),
        responsible_institution=housing,
        mode="do_for",
    )
    services.complaint_create(association=association, entries=[entry.pk])
    rollups_sweep_dirty()
    response = browser_of.get(
        reverse("workload:statement", args=[f"institution-{housing.pk}"]),
        {"from": "2026-10", "to": "2026-10", "lang": "en"},
    )
    page = response.content.decode()
    assert response.status_code == 200, page[:500]
    assert 'data-figure="once_only_complaints">1<' in page
    assert 'data-figure="once_only_complaint_answers">0<' in page


def test_a_director_of_another_association_lists_none_of_ours(association):
    services.complaint_create(association=association, entries=[once_only_entry(association).pk])
    other = MembershipFactory(organisation=AssociationFactory(), role=Role.DIRECTOR).user
    client = Client()
    client.force_login(other)
    page = client.get(reverse("complaints:list")).content.decode()
    assert "No complaint yet." in page or "Pas encore de plainte." in page
