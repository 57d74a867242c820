"""The receipt says what the situation puts at stake for the person's rights (months of a
benefit delayed or lost times its monthly amount, fees borne, in euros as the receipt's language
writes them) and what was done about it; an entry without a rights impact says nothing of it."""

import html
import re
from decimal import Decimal

import pytest

from tests.factories import DEFAULT_PASSWORD, log_entry


@pytest.fixture
def logged_in(client, worker):
    client.login(email=worker.email, password=DEFAULT_PASSWORD)
    return client


def receipt(client, entry, language) -> str:
    response = client.get(f"/entries/{entry.pk}/receipt/?lang={language}")
    assert response.status_code == 200
    # Spaces collapsed, the no-break spaces of the amounts kept.
    return html.unescape(re.sub(r"[ \t\n]+", " ", response.content.decode()))


def stake_of(page: str) -> str:
    return page.split('data-receipt="at-stake"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def lost(association, worker):
    return log_entry(
        association,
        actor=worker,
        procedure_domain="ris.application",
        mode="do_with",
        outcome="rights_lost",
        rights_impact="partial_loss",
        right_months=3,
        right_monthly_eur=Decimal("1314.20"),
        extra_cost_eur=Decimal("45.10"),
    )


def test_the_french_receipt_says_what_is_lost_in_euros_and_what_was_done(logged_in, lost):
    page = receipt(logged_in, lost, "fr")
    stake = stake_of(page)
    assert "Ce qui est en jeu pour vos droits" in stake
    assert "Perte définitive d'une partie" in stake
    assert "3 mois d'une prestation de 1\xa0314,20\xa0€ par mois perdus : 3\xa0942,60\xa0€." in (
        stake
    )
    assert "45,10\xa0€" in stake
    assert "Ce qui a été fait" in page
    assert "avec votre" in page.split("Ce qui a été fait", 1)[1]


def test_the_dutch_receipt_writes_the_euros_as_dutch_does(logged_in, lost):
    stake = stake_of(receipt(logged_in, lost, "nl"))
    assert "Wat er op het spel staat voor uw rechten" in stake
    assert (
        "3 maanden van een uitkering van €\xa01.314,20 per maand zijn verloren: €\xa03.942,60."
        in (stake)
    )
    assert "€\xa045,10" in stake


def test_the_german_and_english_receipts_say_it_too(logged_in, lost):
    assert "3 Monate einer Leistung von 1.314,20\xa0€ im Monat sind verloren: 3.942,60\xa0€." in (
        stake_of(receipt(logged_in, lost, "de"))
    )
    assert "3 months of a benefit of €1,314.20 a month are lost: €3,942.60." in (
        stake_of(receipt(logged_in, lost, "en"))
    )


def test_a_delay_of_one_month_is_said_in_the_singular(logged_in, association, worker):
    entry = log_entry(
        association,
        actor=worker,
        outcome="pending_inst",
        rights_impact="delay",
        right_months=1,
        right_monthly_eur=Decimal("876.13"),
    )
    stake = stake_of(receipt(logged_in, entry, "fr"))
    assert "1 mois d'une prestation de 876,13\xa0€ par mois en retard : 876,13\xa0€." in (stake)


def test_an_unknown_impact_is_named_without_amounts(logged_in, association, worker):
    entry = log_entry(association, actor=worker, outcome="abandoned", rights_impact="unknown")
    stake = stake_of(receipt(logged_in, entry, "nl"))
    assert "Impact onbekend" in stake
    assert "€" not in stake


def test_an_entry_without_rights_impact_says_nothing_of_rights(logged_in, association, worker):
    entry = log_entry(association, actor=worker, right_months=2)
    page = receipt(logged_in, entry, "fr")
    assert 'data-receipt="at-stake"' not in page
    assert "en jeu" not in page
    assert "Ce qui a été fait" in page
