"""The workload endpoints of the published contract, over HTTP."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from cases.services import assistance_request_create
from organisations.services import (
    association_create_or_update,
    federation_create_or_update,
    member_create_or_update,
)
from referrals.models import Institution
from workload.models import Job
from workload.services import rollups_sweep_dirty

PASSWORD = "a-long-demo-pass-2026"


def client_for(org_slug, email, role):
    member_create_or_update(org_slug=org_slug, email=email, role=role, password=PASSWORD)
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"email": email, "password": PASSWORD}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def setup(db):
    federation_create_or_update(slug="fed", name="Fed")
    mine, _ = association_create_or_update(slug="mine", name="Mine", federation_slug="fed")
    other, _ = association_create_or_update(slug="other", name="Other")
    cpas = Institution.objects.filter(kind="cpas").order_by("pk").first()
    common = {"channel": "on_site", "mode": "do_for", "outcome": "resolved", "consent": "oral"}
    assistance_request_create(
        association=mine,
        occurred_on=dt.date(2026, 10, 5),
        duration_minutes=60,
        procedure_domain="ris.application",
        referred_by=cpas,
        responsible_institution=cpas,
        barriers=["once_only", "upload"],
        **common,
    )
    assistance_request_create(
        association=mine,
        occurred_on=dt.date(2026, 10, 9),
        duration_minutes=30,
        procedure_domain="tax",
        referrer_kind="self",
        responsible_kind="pub_fed",
        barriers=["itsme"],
        **common,
    )
    assistance_request_create(
        association=mine,
        occurred_on=dt.date(2026, 9, 9),
        duration_minutes=20,
        procedure_domain="civil",
        referrer_kind="self",
        responsible_kind="association",
        barriers=[],
        **common,
    )
    assistance_request_create(
        association=other,
        occurred_on=dt.date(2026, 10, 5),
        duration_minutes=999,
        procedure_domain="tax",
        referrer_kind="self",
        responsible_kind="pub_fed",
        barriers=["itsme"],
        **common,
    )
    rollups_sweep_dirty()
    return {"mine": mine, "other": other, "cpas": cpas}


def test_the_monthly_table_gives_one_row_per_month_with_every_metric(setup):
    director = client_for("mine", "dir@mine.be", "director")

    body = director.get("/api/v1/workload/monthly/?from=2026-08&to=2026-10").json()

    assert (body["association"], body["from"], body["to"], body["group_by"]) == (
        "mine",
        "2026-08",
        "2026-10",
        None,
    )
    assert [row["month"] for row in body["rows"]] == ["2026-08", "2026-09", "2026-10"]
    august, september, october = body["rows"]
    assert august["requests"] == 0 and august["transferred_share"] is None
    assert september["minutes"] == 20 and september["transferred_minutes"] == 0
    assert october["requests"] == 2 and october["minutes"] == 90
    assert october["transferred_minutes"] == 90
    assert october["referred_transferred_minutes"] == 60
    assert october["once_only_violations"] == 1
    assert Decimal(str(october["transferred_value_eur"])) == Decimal("60.00")
    assert october["transferred_share"] == 1.0


def test_grouping_by_an_institution_gives_its_id_and_null_for_entries_without_one(setup):
    worker = client_for("mine", "w@mine.be", "worker")

    rows = worker.get(
        "/api/v1/workload/monthly/?from=2026-10&to=2026-10&group_by=responsible_institution"
    ).json()["rows"]

    assert {row["group"]: row["minutes"] for row in rows} == {setup["cpas"].pk: 60, None: 30}


def test_grouping_by_procedure_domain_rolls_procedures_up_to_their_domain(setup):
    worker = client_for("mine", "w@mine.be", "worker")

    rows = worker.get(
        "/api/v1/workload/monthly/?from=2026-09&to=2026-10&group_by=procedure_domain"
    ).json()["rows"]

    assert {(row["month"], row["group"]) for row in rows} == {
        ("2026-09", "civil"),
        ("2026-10", "ris"),
        ("2026-10", "tax"),
    }


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2026-13&to=2026-14", "from"),
        ("from=2026-10&to=oct", "to"),
        ("to=2026-10", "from"),
        ("from=2026-10&to=2026-09", "to"),
        ("from=2026-09&to=2026-10&group_by=person", "group_by"),
        ("from=2026-09&to=2026-10&format=docx", "format"),
    ],
)
def test_a_bad_period_or_dimension_is_a_400_naming_it(setup, query, field):
    director = client_for("mine", "dir@mine.be", "director")

    response = director.get(f"/api/v1/workload/monthly/?{query}")

    assert response.status_code == 400
    assert field in response.json()


def test_one_answer_names_a_bad_period_and_a_bad_dimension_together(setup):
    director = client_for("mine", "dir@mine.be", "director")

    response = director.get("/api/v1/workload/monthly/?from=2026-13&to=2026-10&group_by=person")

    assert response.status_code == 400
    assert {"from", "group_by"} <= set(response.json())


def test_statements_list_transferred_work_per_responsible_body_largest_first(setup):
    director = client_for("mine", "dir@mine.be", "director")

    body = director.get("/api/v1/workload/statements/?from=2026-09&to=2026-10").json()

    first, second = body["statements"]
    assert first["institution"]["id"] == setup["cpas"].pk
    assert first["transferred_minutes"] == 60
    assert first["referred_transferred_minutes"] == 60
    assert Decimal(str(first["transferred_value_eur"])) == Decimal("40.00")
    assert [b["code"] for b in first["by_barrier"]] == ["once_only", "upload"]
    assert first["by_procedure_domain"][0]["code"] == "ris"
    assert second["institution"] is None and second["responsible_kind"] == "pub_fed"
    assert second["transferred_minutes"] == 30


def test_the_monthly_table_downloads_as_csv_with_a_telling_file_name(setup):
    director = client_for("mine", "dir@mine.be", "director")

    response = director.get("/api/v1/workload/monthly/?from=2026-10&to=2026-10&format=csv")

    assert response.status_code == 200
    assert "tableau-mensuel-2026-10.csv" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("month,group,requests,minutes")
    assert lines[1].startswith("2026-10,,2,90")


def test_a_director_queues_a_recomputation_and_follows_its_job(
    setup, django_capture_on_commit_callbacks
):
    director = client_for("mine", "dir@mine.be", "director")

    with django_capture_on_commit_callbacks(execute=True):
        response = director.post("/api/v1/workload/recompute/")

    assert response.status_code == 202
    job_id = response.json()["id"]
    assert response.json()["state"] == "queued"
    job = director.get(f"/api/v1/jobs/{job_id}/").json()
    # In-process (no broker) the job has already run; with a broker it may still be queued.
    assert job["state"] in {"queued", "running", "succeeded"}
    assert 0 <= job["progress"] <= 100


def test_a_worker_may_read_figures_but_not_queue_a_recomputation(setup):
    worker = client_for("mine", "w@mine.be", "worker")

    assert worker.post("/api/v1/workload/recompute/").status_code == 403


def test_another_associations_job_is_a_404(setup):
    job = Job.objects.create(kind="recompute", association=setup["other"])
    director = client_for("mine", "dir@mine.be", "director")

    assert director.get(f"/api/v1/jobs/{job.pk}/").status_code == 404


def test_an_analyst_gets_403_on_association_workload_paths(setup):
    analyst = client_for("fed", "an@fed.be", "analyst")

    assert analyst.get("/api/v1/workload/monthly/?from=2026-10&to=2026-10").status_code == 403
    assert analyst.get("/api/v1/workload/statements/?from=2026-10&to=2026-10").status_code == 403


def test_no_token_is_a_401(setup):
    assert APIClient().get("/api/v1/workload/monthly/?from=2026-10&to=2026-10").status_code == 401


@pytest.mark.parametrize(
    "body, field",
    [
        ('{"association": "other"}', "association"),
        ('{"months": ["2026-10"], "priority": 9}', "months"),
        ("[]", "non_field_errors"),
        ('"recompute"', "non_field_errors"),
        ("null", "non_field_errors"),
        ("{", "detail"),
    ],
)
def test_a_recomputation_body_with_anything_in_it_is_a_400_naming_the_field(setup, body, field):
    director = client_for("mine", "dir@mine.be", "director")

    response = director.post("/api/v1/workload/recompute/", body, content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Job.objects.filter(kind="recompute").exists()


def test_an_empty_recomputation_body_is_accepted(setup):
    director = client_for("mine", "dir@mine.be", "director")

    assert director.post("/api/v1/workload/recompute/", {}, format="json").status_code == 202


def test_recomputations_asked_while_one_is_pending_return_that_job(setup):
    # Given a director who asks for a recomputation again and again (no worker picks it up)
    director = client_for("mine", "dir@mine.be", "director")
    second_director = client_for("mine", "dir2@mine.be", "director")

    # When the requests keep coming while the first job is queued, then running
    first = director.post("/api/v1/workload/recompute/").json()
    again = [director.post("/api/v1/workload/recompute/") for _ in range(5)]
    Job.objects.filter(pk=first["id"]).update(state="running")
    running = second_director.post("/api/v1/workload/recompute/")

    # Then every answer is the first job and nothing else is queued
    assert {response.status_code for response in [*again, running]} == {202}
    assert {response.json()["id"] for response in [*again, running]} == {first["id"]}
    assert Job.objects.filter(kind="recompute").count() == 1

    # And once it has finished, a new request queues a new job
    Job.objects.filter(pk=first["id"]).update(state="succeeded")
    after = director.post("/api/v1/workload/recompute/").json()
    assert after["id"] != first["id"]


def test_a_recomputation_pending_for_too_long_no_longer_holds_back_a_new_one(setup):
    director = client_for("mine", "dir@mine.be", "director")
    first = director.post("/api/v1/workload/recompute/").json()
    Job.objects.filter(pk=first["id"]).update(
        created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    )

    assert director.post("/api/v1/workload/recompute/").json()["id"] != first["id"]


def test_another_associations_pending_recomputation_is_not_returned(setup):
    pending = Job.objects.create(kind="recompute", association=setup["other"])
    director = client_for("mine", "dir@mine.be", "director")

    assert director.post("/api/v1/workload/recompute/").json()["id"] != pending.pk


def test_the_schema_says_the_recomputation_body_takes_no_field(setup):
    director = client_for("mine", "dir@mine.be", "director")
    document = director.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    operation = json.loads(document.content)["paths"]["/api/v1/workload/recompute/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["additionalProperties"] is False and body["properties"] == {}
    assert "400" in operation["responses"]
