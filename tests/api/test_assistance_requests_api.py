"""The assistance-request log over the API: fields and defaults as in API.md, filters,
pagination and the scoping of every related field."""

import datetime as dt

import pytest

from cases.models import AssistanceRequest
from tests.api.conftest import entry_body
from tests.factories import log_entry

URL = "/api/v1/assistance-requests/"
FIELDS = {
    "id",
    "occurred_on",
    "duration_minutes",
    "channel",
    "procedure_domain",
    "referrer_kind",
    "referred_by",
    "responsible_kind",
    "responsible_institution",
    "barriers",
    "mode",
    "outcome",
    "consent",
    "sensitive_flags",
    "next_appointment",
    "person",
    "notes",
    "rights_impact",
    "non_take_up_type",
    "right_months",
    "right_monthly_eur",
    "extra_cost_eur",
    "once_only_document",
    "once_only_holder",
}
REQUIRED = ["occurred_on", "duration_minutes", "channel", "procedure_domain", "mode", "outcome"]


def test_posting_the_required_fields_gives_201_with_the_defaults(world):
    response = world.worker.post(URL, entry_body(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == FIELDS
    assert body["person"] is None
    assert body["referred_by"] is None
    assert body["responsible_institution"] is None
    assert body["barriers"] == []
    assert body["sensitive_flags"] == []
    assert body["notes"] == ""
    # The rights ledger's defaults (METRICS.md), euros as strings with two decimals.
    assert body["rights_impact"] == "none"
    assert body["non_take_up_type"] is None
    assert body["right_months"] == 0
    assert body["right_monthly_eur"] == "0.00"
    assert body["extra_cost_eur"] == "0.00"
    assert body["next_appointment"] is None
    assert body["once_only_document"] == ""
    assert body["once_only_holder"] is None
    entry = AssistanceRequest.objects.get(pk=body["id"])
    assert entry.association == world.mine.association
    assert entry.created_by == world.worker.user


def test_an_institutions_kind_is_stored_and_returned(world):
    body = entry_body(referred_by=world.cpas.pk, responsible_institution=world.cpas.pk)
    del body["referrer_kind"], body["responsible_kind"]
    response = world.worker.post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["referrer_kind"] == "cpas"
    assert response.json()["responsible_kind"] == "cpas"
    assert response.json()["referred_by"] == world.cpas.pk


def test_lists_are_stored_and_returned_as_lists(world):
    response = world.worker.post(
        URL,
        entry_body(barriers=["upload", "itsme"], sensitive_flags=["password"], consent="oral"),
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["barriers"] == ["itsme", "upload"]
    assert response.json()["sensitive_flags"] == ["password"]


@pytest.mark.parametrize("field", [*REQUIRED, "consent", "referrer_kind", "responsible_kind"])
def test_a_missing_required_field_is_a_400_naming_it(world, field):
    body = entry_body()
    del body[field]
    before = AssistanceRequest.objects.count()
    response = world.worker.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert AssistanceRequest.objects.count() == before


@pytest.mark.parametrize("field", ["channel", "mode", "outcome", "consent", "duration_minutes"])
def test_a_null_in_a_non_null_field_is_a_400_naming_it(world, field):
    response = world.worker.post(URL, entry_body(**{field: None}), format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_every_bad_field_is_named_at_once(world):
    response = world.worker.post(
        URL,
        entry_body(channel="pigeon", duration_minutes=0, barriers=["nope"], occurred_on="soon"),
        format="json",
    )
    assert response.status_code == 400
    assert {"channel", "duration_minutes", "barriers", "occurred_on"} <= set(response.json())


def test_a_rule_of_the_service_is_a_400_naming_the_field(world):
    response = world.worker.post(
        URL, entry_body(sensitive_flags=["password"], consent="not_applicable"), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"consent"}


def test_a_date_in_the_future_is_refused(world):
    response = world.worker.post(URL, entry_body(occurred_on="2999-01-01"), format="json")
    assert response.status_code == 400
    assert "occurred_on" in response.json()


def test_another_associations_person_cannot_be_attached(world):
    before = AssistanceRequest.objects.count()
    response = world.worker.post(URL, entry_body(person=world.other.person.pk), format="json")
    assert response.status_code == 400
    assert "person" in response.json()
    assert AssistanceRequest.objects.count() == before
    response = world.worker.patch(
        f"{URL}{world.mine.entry.pk}/", {"person": world.other.person.pk}, format="json"
    )
    assert response.status_code == 400
    world.mine.entry.refresh_from_db()
    assert world.mine.entry.person == world.mine.person


def test_an_unknown_institution_is_a_400(world):
    response = world.worker.post(URL, entry_body(referred_by=987654), format="json")
    assert response.status_code == 400
    assert "referred_by" in response.json()


@pytest.mark.parametrize(
    "body",
    ["{not json", "[]", "[1, 2]", "null", '"text"', "42"],
    ids=["not-json", "empty-list", "list", "null", "string", "number"],
)
def test_a_malformed_body_is_a_400_never_a_500(world, body):
    response = world.worker.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    response = world.worker.patch(
        f"{URL}{world.mine.entry.pk}/", body, content_type="application/json"
    )
    assert response.status_code == 400


def test_patch_changes_only_the_fields_given(world):
    url = f"{URL}{world.mine.entry.pk}/"
    response = world.worker.patch(url, {"duration_minutes": 90}, format="json")
    assert response.status_code == 200
    assert response.json()["duration_minutes"] == 90
    assert response.json()["barriers"] == ["itsme"]
    assert response.json()["person"] == world.mine.person.pk


def test_delete_removes_the_entry_with_204(world):
    response = world.worker.delete(f"{URL}{world.mine.entry.pk}/")
    assert response.status_code == 204
    assert not AssistanceRequest.objects.filter(pk=world.mine.entry.pk).exists()


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_associations_entry_is_404_for_every_method(world, method):
    url = f"{URL}{world.other.entry.pk}/"
    response = getattr(world.worker, method)(url, {"duration_minutes": 1}, format="json")
    assert response.status_code == 404
    world.other.entry.refresh_from_db()
    assert world.other.entry.duration_minutes == 25


def test_without_a_token_it_is_401_and_with_a_bad_one_too(world, api_client):
    assert api_client.get(URL).status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert api_client.get(URL).status_code == 401
    assert api_client.post(URL, entry_body(), format="json").status_code == 401


def test_an_analyst_gets_403_on_the_log_and_404_on_an_entry(world):
    assert world.analyst.get(URL).status_code == 403
    assert world.analyst.post(URL, entry_body(), format="json").status_code == 403
    for method in ("get", "patch", "delete"):
        response = getattr(world.analyst, method)(f"{URL}{world.mine.entry.pk}/")
        assert response.status_code == 404


# --- Lists: scoping, filters, pagination, ordering -------------------------------------------


@pytest.fixture
def log(world):
    association = world.mine.association
    log_entry(association, occurred_on=dt.date(2025, 1, 31), procedure_domain="tax")
    log_entry(association, occurred_on=dt.date(2025, 2, 1), barriers=["itsme", "upload"])
    log_entry(association, occurred_on=dt.date(2025, 2, 28), procedure_domain="ris.application")
    return world


def _ids(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return [row["occurred_on"] for row in response.json()["results"]]


def test_the_list_holds_only_the_callers_entries(log):
    body = log.worker.get(URL).json()
    assert body["count"] == 4
    assert log.other.entry.pk not in [row["id"] for row in body["results"]]


def test_dates_filter_inclusively(log):
    assert _ids(log.worker, occurred_after="2025-02-01", occurred_before="2025-02-28") == [
        "2025-02-28",
        "2025-02-01",
    ]


def test_a_list_field_matches_entries_containing_the_code(log):
    assert _ids(log.worker, barriers="upload") == ["2025-02-01"]
    assert len(_ids(log.worker, barriers="itsme")) == 2


def test_a_domain_matches_itself_and_its_procedures(log):
    assert _ids(log.worker, procedure_domain="tax") == ["2025-03-14", "2025-02-01", "2025-01-31"]
    assert _ids(log.worker, procedure_domain="tax.pit_return") == ["2025-03-14", "2025-02-01"]
    assert _ids(log.worker, procedure_domain="ris") == ["2025-02-28"]


def test_code_fields_filter_by_name(log):
    assert len(_ids(log.worker, referrer_kind="cpas")) == 1
    assert len(_ids(log.worker, channel="on_site", mode="do_with")) == 4
    assert _ids(log.worker, outcome="abandoned") == []


@pytest.mark.parametrize(
    "param, value",
    [
        ("occurred_after", "yesterday"),
        ("occurred_before", "2025-13-01"),
        ("barriers", "nope"),
        ("procedure_domain", "tax.nope"),
        ("channel", "pigeon"),
        ("person", "abc"),
        ("ordering", "notes"),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_it(log, param, value):
    response = log.worker.get(URL, {param: value})
    assert response.status_code == 400
    assert param in response.json()


def test_filtering_by_another_associations_person_is_a_400(log):
    response = log.worker.get(URL, {"person": log.other.person.pk})
    assert response.status_code == 400
    assert "person" in response.json()


def test_lists_are_paginated_with_a_page_size_up_to_500(log):
    body = log.worker.get(URL, {"page_size": 3}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 4 and len(body["results"]) == 3 and body["next"]
    second = log.worker.get(body["next"]).json()
    assert len(second["results"]) == 1 and second["previous"]


def test_ordering_uses_the_explicit_fields(log):
    assert _ids(log.worker, ordering="occurred_on")[0] == "2025-01-31"


def test_a_page_of_entries_costs_a_fixed_number_of_queries(log, django_assert_max_num_queries):
    for _ in range(10):
        log_entry(
            log.mine.association, barriers=["itsme"], sensitive_flags=["password"], consent="oral"
        )
    # seat, token, count, page, barriers, flags (+ a margin for the session machinery)
    with django_assert_max_num_queries(8):
        response = log.worker.get(URL, {"page_size": 500})
    assert response.json()["count"] == 14


def test_the_rights_ledger_is_stored_and_returned(world):
    response = world.worker.post(
        URL,
        entry_body(
            outcome="rights_lost",
            rights_impact="partial_loss",
            non_take_up_type="non_reception",
            right_months=4,
            right_monthly_eur="1234.56",
            extra_cost_eur="45.10",
        ),
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rights_impact"] == "partial_loss"
    assert body["non_take_up_type"] == "non_reception"
    assert (body["right_months"], body["right_monthly_eur"], body["extra_cost_eur"]) == (
        4,
        "1234.56",
        "45.10",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rights_impact", "catastrophe"),
        ("non_take_up_type", "laziness"),
        ("right_months", 121),
        ("right_months", -1),
        ("right_monthly_eur", "10000.01"),
        ("right_monthly_eur", "12.345"),
        ("right_monthly_eur", "NaN"),
        ("extra_cost_eur", "100000.01"),
        ("extra_cost_eur", "-1"),
    ],
)
def test_a_bad_rights_ledger_value_is_a_400_naming_it(world, field, value):
    before = AssistanceRequest.objects.count()

    response = world.worker.post(URL, entry_body(**{field: value}), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert AssistanceRequest.objects.count() == before


def test_a_next_appointment_may_lie_ahead_but_not_before_the_visit(world):
    ahead = entry_body()
    visit = dt.date.fromisoformat(ahead["occurred_on"])
    ahead["next_appointment"] = (visit + dt.timedelta(days=7)).isoformat()
    before = {**ahead, "next_appointment": (visit - dt.timedelta(days=1)).isoformat()}
    existing = AssistanceRequest.objects.count()

    accepted = world.worker.post(URL, ahead, format="json")
    refused = world.worker.post(URL, before, format="json")

    assert accepted.status_code == 201
    assert accepted.json()["next_appointment"] == ahead["next_appointment"]
    assert refused.status_code == 400 and "next_appointment" in refused.json()
    assert AssistanceRequest.objects.count() == existing + 1
