"""The rights ledger on the entry form: shown when the outcome or a barrier calls for it, with
the monthly amount of the benefit proposed from the association's reference amounts, and
saved only as the worker chose it (a proposal never saved unless chosen)."""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.entry_fields import LEDGER_BARRIERS, LEDGER_OUTCOMES, ledger_called_for
from cases.models import AssistanceRequest
from organisations.models import ReferenceAmount
from organisations.services import reference_amount_create
from tests.factories import DEFAULT_PASSWORD, entry_form_data, log_entry


@pytest.fixture
def logged_in(client, worker):
    client.login(email=worker.email, password=DEFAULT_PASSWORD)
    return client


def ledger_fold(page: str) -> str:
    """The opening tag of the rights ledger's fold."""
    match = re.search(r"<details[^>]*data-ledger[^>]*>", page)
    assert match, "the entry form has a rights-ledger fold"
    return match.group(0)


def proposals(page: str) -> list[str]:
    """The texts of the reference amounts proposed, tags dropped."""
    box = page.split("data-reference-proposal", 1)[1].split("</div>", 1)[0]
    return [
        html.unescape(re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", "", p))).strip()
        for p in re.findall(r"<p class=\"hint\" data-proposal>(.*?)</p>", box, re.S)
    ]


# --- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "barriers", "called"),
    [
        ("resolved", [], False),
        ("resolved", ["itsme"], False),
        ("resolved", ["data_error"], True),
        ("abandoned", [], True),
        ("postponed_technical", [], True),
        ("redirected", [], True),
        ("rights_lost", [], True),
        ("pending_inst", [], True),
    ],
)
def test_the_outcomes_and_barriers_that_call_for_the_ledger(outcome, barriers, called):
    assert ledger_called_for(outcome, barriers) is called


def test_the_page_carries_the_same_rule_for_the_script(logged_in):
    fold = ledger_fold(logged_in.get("/").content.decode())
    assert f'data-ledger-outcomes="{" ".join(LEDGER_OUTCOMES)}"' in fold
    assert f'data-ledger-barriers="{" ".join(LEDGER_BARRIERS)}"' in fold


def test_a_blank_form_keeps_the_ledger_folded_but_on_the_page(logged_in):
    page = logged_in.get("/").content.decode()
    fold = ledger_fold(page)
    assert " open" not in fold
    assert 'name="rights_impact"' in page  # reachable without the script


def test_a_refused_form_whose_outcome_calls_for_the_ledger_shows_it_open(logged_in):
    response = logged_in.post("/", entry_form_data(outcome="abandoned", duration_minutes=""))
    assert response.status_code == 400
    assert " open" in ledger_fold(response.content.decode())


def test_a_refused_resolved_form_keeps_the_ledger_folded(logged_in):
    response = logged_in.post("/", entry_form_data(outcome="resolved", duration_minutes=""))
    assert " open" not in ledger_fold(response.content.decode())


def test_a_ledger_holding_a_value_is_open_whatever_the_outcome(logged_in):
    response = logged_in.post(
        "/", entry_form_data(outcome="resolved", rights_impact="delay", duration_minutes="")
    )
    fold = ledger_fold(response.content.decode())
    assert " open" in fold and "data-ledger-holds" in fold


def test_months_given_with_no_impact_are_saved_as_the_log_allows_and_not_counted(logged_in, worker):
    """METRICS.md counts months only under a delay or a loss: the form, like the API, keeps
    what the worker typed, and the page says they do not count."""
    page = logged_in.get("/").content.decode()
    assert "data-ledger-not-counted" in page
    logged_in.post("/", entry_form_data(rights_impact="none", right_months="2"))
    assert AssistanceRequest.objects.get(created_by=worker).right_months == 2


# --- the proposal -----------------------------------------------------------------------------


def test_the_procedures_reference_amounts_are_proposed_with_their_source_and_date(logged_in):
    response = logged_in.post(
        "/",
        entry_form_data(
            procedure_domain="ris.application", outcome="abandoned", duration_minutes=""
        ),
    )
    shown = proposals(response.content.decode())
    assert len(shown) == 3
    single = next(p for p in shown if "Isolé" in p)
    assert "1\xa0314,20\xa0€" in single
    assert "SPP Intégration sociale" in single
    assert "1 février 2025" in single
    assert 'data-use-amount="1314,20"' in response.content.decode()


def test_the_proposal_follows_the_pages_language(logged_in):
    response = logged_in.post(
        "/",
        entry_form_data(procedure_domain="ris.application", duration_minutes=""),
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    page = response.content.decode()
    assert "€\xa01.314,20" in " ".join(proposals(page))
    assert "Referentiebedrag:" in page and "Dit bedrag gebruiken" in page


def test_a_procedure_without_reference_amount_proposes_none(logged_in):
    response = logged_in.post(
        "/", entry_form_data(procedure_domain="tax.pit_return", duration_minutes="")
    )
    assert proposals(response.content.decode()) == []


def test_a_procedure_of_a_domain_with_amounts_falls_back_to_the_domains(logged_in, association):
    reference_amount_create(
        association=association,
        values={
            "procedure_domain": "unemp",
            "monthly_eur": "1 200,00",
            "source_name": "ONEM",
            "valid_from": "2025-01-01",
        },
    )
    response = logged_in.post(
        "/", entry_form_data(procedure_domain="unemp.payment_issue", duration_minutes="")
    )
    assert ["1\xa0200,00\xa0€" in p for p in proposals(response.content.decode())] == [True]


def test_the_amount_in_force_on_the_entrys_day_is_proposed(logged_in, association):
    ReferenceAmount.objects.for_association(association).delete()
    for day, amount in (
        ("2024-01-01", "1 000,00"),
        ("2025-01-01", "1 100,00"),
        ("2099-01-01", "9 999,00"),
    ):
        reference_amount_create(
            association=association,
            values={
                "procedure_domain": "pension.grapa",
                "situation": "Isolé",
                "monthly_eur": amount,
                "source_name": "SFP",
                "valid_from": day,
            },
        )
    response = logged_in.post(
        "/",
        entry_form_data(
            procedure_domain="pension.grapa", occurred_on="2025-06-01", duration_minutes=""
        ),
    )
    assert proposals(response.content.decode()) == [
        next(p for p in proposals(response.content.decode()) if "1\xa0100,00" in p)
    ]


def test_a_typed_monthly_amount_hides_the_proposal(logged_in):
    response = logged_in.post(
        "/",
        entry_form_data(
            procedure_domain="ris.application", right_monthly_eur="900,00", duration_minutes=""
        ),
    )
    assert proposals(response.content.decode()) == []


def test_the_proposal_is_not_saved_unless_the_worker_chose_it(logged_in, worker):
    logged_in.post(
        "/",
        entry_form_data(
            procedure_domain="ris.application",
            outcome="abandoned",
            rights_impact="total_loss",
            right_months="3",
        ),
    )
    entry = AssistanceRequest.objects.get(created_by=worker)
    assert (entry.rights_impact, entry.right_months) == ("total_loss", 3)
    assert entry.right_monthly_eur == Decimal("0.00")


def test_the_amount_the_worker_chose_is_saved_as_typed_with_a_decimal_comma(logged_in, worker):
    logged_in.post(
        "/",
        entry_form_data(
            procedure_domain="ris.application",
            outcome="abandoned",
            rights_impact="total_loss",
            right_months="3",
            right_monthly_eur="1314,20",
        ),
    )
    assert AssistanceRequest.objects.get(created_by=worker).right_monthly_eur == Decimal("1314.20")


def test_editing_an_entry_with_an_amount_proposes_nothing(logged_in, association, worker):
    entry = log_entry(
        association,
        actor=worker,
        occurred_on=timezone.localdate() - dt.timedelta(days=1),
        procedure_domain="ris.application",
        outcome="abandoned",
        rights_impact="delay",
        right_months=2,
        right_monthly_eur=Decimal("876.13"),
    )
    page = logged_in.get(f"/entries/{entry.pk}/edit/").content.decode()
    assert proposals(page) == []
    assert " open" in ledger_fold(page)
