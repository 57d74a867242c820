"""A subcontracting statement is a letter a director can send: dated, from the association
(its letterhead) to the institution (its address in the registry), with a subject naming the
period in words, a reference that stays the same, the figures, and room for a signature."""

import datetime as dt
import io

import pytest

from organisations.services import association_update_letterhead
from workload import exports
from workload import statements as statements_module
from workload.presentation import date_in_words, period_in_words
from workload.selectors import Period

from .reports_data import reports_fixture, web_client  # noqa: F401

needs_pdf = pytest.mark.skipif(
    not exports.pdf_available(), reason="WeasyPrint's system packages are not installed"
)
PERIOD = "from=2026-09&to=2026-10"
ISSUED = dt.date(2026, 11, 1)


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def letter_setup(reports, monkeypatch):
    monkeypatch.setattr(statements_module, "issue_date", lambda: ISSUED)
    association_update_letterhead(
        association=reports["mine"],
        values={
            "street": "Rue Haute 200",
            "postcode": "1000",
            "city": "Bruxelles",
            "phone": "02 511 22 33",
            "email": "direction@maison.example",
            "contact_person": "Awa Diallo",
            "enterprise_number": "0403.019.261",
            "signatory_name": "Marie Dupont",
        },
    )
    bank = reports["bank"]
    bank.street = "Boulevard Anspach 1"
    bank.save(update_fields=["street"])
    return reports


def bank_letter(client, reports, language, fmt=""):
    key = f"institution-{reports['bank'].pk}"
    suffix = f"&format={fmt}" if fmt else ""
    return client.get(f"/workload/statements/{key}/?{PERIOD}&lang={language}{suffix}")


@pytest.fixture
def director(letter_setup):
    return web_client("mine", "dir@mine.be", "director")


LETTER_WORDS = {
    "fr": {
        "issued": "Bruxelles, le 1er novembre 2026",
        "period": "du 1er septembre au 31 octobre 2026",
        "subject": "Objet :",
        "town": "1000 Bruxelles",
        "unknown": "Adresse inconnue",
    },
    "nl": {
        "issued": "Bruxelles, 1 november 2026",
        "period": "van 1 september tot en met 31 oktober 2026",
        "subject": "Betreft:",
        "town": "1000 Brussel",
        "unknown": "Adres niet bekend",
    },
    "en": {
        "issued": "Bruxelles, 1 November 2026",
        "period": "from 1 September to 31 October 2026",
        "subject": "Subject:",
        "town": "1000 Bruxelles",
        "unknown": "Address not known",
    },
}


def assert_is_a_letter(text: str, language: str, reports):
    words = LETTER_WORDS[language]
    # the issue date and the sender's letterhead
    assert words["issued"] in text
    assert "Maison de quartier" in text
    assert "Rue Haute 200" in text and "1000 Bruxelles" in text
    assert "02 511 22 33" in text and "direction@maison.example" in text
    assert "Awa Diallo" in text and "0403.019.261" in text
    # the addressee and its address from the registry
    assert "Banque Exemple" in text
    assert "Boulevard Anspach 1" in text and words["town"] in text
    # the subject with the period in words, the reference, the signature
    assert words["subject"] in text and words["period"] in text
    assert f"MINE/INSTITUTION-{reports['bank'].pk}/202609-202610" in text
    assert "Marie Dupont" in text


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_statement_page_is_a_letter_from_the_association_to_the_institution(
    director, reports, language
):
    response = bank_letter(director, reports, language)

    assert response.status_code == 200
    assert_is_a_letter(response.content.decode(), language, reports)


@needs_pdf
@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_statement_pdf_is_the_same_letter(director, reports, language):
    response = bank_letter(director, reports, language, fmt="pdf")

    assert response.status_code == 200
    text = " ".join(pdf_text(response.content).split())
    assert_is_a_letter(text, language, reports)


def test_the_reference_is_the_same_each_time_and_differs_by_body_and_period(director, reports):
    bank = f"institution-{reports['bank'].pk}"
    cpas = f"institution-{reports['hostile'].pk}"

    first = director.get(f"/workload/statements/{bank}/?{PERIOD}").content.decode()
    again = director.get(f"/workload/statements/{bank}/?{PERIOD}&lang=nl").content.decode()
    other_body = director.get(f"/workload/statements/{cpas}/?{PERIOD}").content.decode()
    one_month = director.get(f"/workload/statements/{bank}/?from=2026-10&to=2026-10")

    reference = f"MINE/INSTITUTION-{reports['bank'].pk}/202609-202610"
    assert reference in first and reference in again
    assert reference not in other_body
    assert f"MINE/INSTITUTION-{reports['bank'].pk}/202610<" in one_month.content.decode()


def test_a_single_month_is_named_by_its_month(director, reports):
    bank = f"institution-{reports['bank'].pk}"

    french = director.get(f"/workload/statements/{bank}/?from=2026-10&to=2026-10&lang=fr")
    dutch = director.get(f"/workload/statements/{bank}/?from=2026-10&to=2026-10&lang=nl")

    assert "octobre 2026" in french.content.decode()
    assert "oktober 2026" in dutch.content.decode()


def test_an_institution_without_a_street_says_its_address_is_not_known(director, reports):
    key = f"institution-{reports['hostile'].pk}"

    response = director.get(f"/workload/statements/{key}/?{PERIOD}&lang=fr")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Adresse inconnue" in page
    assert "1070 Anderlecht" in page  # what the registry knows: the postcode and commune


def test_without_a_letterhead_the_letter_still_reads(reports, monkeypatch):
    monkeypatch.setattr(statements_module, "issue_date", lambda: ISSUED)
    director = web_client("mine", "dir@mine.be", "director")
    key = f"institution-{reports['bank'].pk}"

    response = director.get(f"/workload/statements/{key}/?{PERIOD}&lang=en")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Issued on 1 November 2026" in page
    assert "Address not known" in page
    assert "Yours faithfully" in page


@pytest.mark.parametrize(
    ("start", "end", "language", "words"),
    [
        ("2026-03", "2026-03", "fr", "mars 2026"),
        ("2026-01", "2026-03", "fr", "du 1er janvier au 31 mars 2026"),
        ("2025-12", "2026-02", "fr", "du 1er décembre 2025 au 28 février 2026"),
        ("2026-03", "2026-03", "nl", "maart 2026"),
        ("2026-01", "2026-03", "nl", "van 1 januari tot en met 31 maart 2026"),
        ("2024-02", "2024-02", "en", "February 2024"),
        ("2024-01", "2024-02", "en", "from 1 January to 29 February 2024"),
    ],
)
def test_a_period_in_words(start, end, language, words):
    assert period_in_words(Period(start, end), language) == words


def test_a_date_in_words():
    assert date_in_words(dt.date(2026, 3, 1), "fr") == "1er mars 2026"
    assert date_in_words(dt.date(2026, 3, 2), "nl") == "2 maart 2026"
    assert date_in_words(dt.date(2026, 3, 2), "de") == "2. März 2026"
