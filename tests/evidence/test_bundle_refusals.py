"""What a hostile or broken association server can send: every bad bundle is refused with a
one-line reason (exit status 1), never a traceback, and an import runs as a job on record."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from audit.models import AuditEvent
from evidence.bundles import bundle_build, bundle_import
from evidence.models import ImportedBundle, ImportedCell
from workload.models import Job

from .conftest import PERIOD, log, new_association, new_federation
from .test_bundles import register, resign


@pytest.fixture
def sender():
    federation = new_federation()
    association = new_association()
    log(association, times=3)
    register(federation, association)
    return federation, association


def signed(sender, change=None) -> bytes:
    """A bundle of the sender, changed by `change(payload)` and signed again with its key:
    what a compromised server of that association can produce."""
    federation, association = sender
    data = bundle_build(association=association, federation_slug=federation.slug, period=PERIOD)
    bundle = json.loads(data)
    if change is not None:
        change(bundle["payload"])
    return resign(bundle, association)


def refusal(tmp_path, data: bytes) -> CommandError:
    path = tmp_path / "bundle.json"
    path.write_bytes(data)
    with pytest.raises(CommandError) as caught:
        call_command("import_evidence", str(path))
    error = caught.value
    assert error.returncode == 1
    assert "\n" not in str(error) and "Traceback" not in str(error)
    assert not ImportedCell.objects.exists()
    return error


def total_cell(payload) -> dict:
    return next(cell for cell in payload["cells"] if cell["dimension"] == "total")


def test_a_deeply_nested_file_is_refused_with_a_reason(tmp_path):
    error = refusal(tmp_path, b"[" * 100_000 + b"]" * 100_000 + b"\n")
    assert str(error) == "malformed: nested deeper than a bundle is"


def test_nesting_inside_a_signed_payload_is_refused_with_a_reason(sender, tmp_path):
    def nest(payload):
        deep = []
        for _ in range(200):
            deep = [deep]
        payload["cells"][0]["group"] = deep

    error = refusal(tmp_path, signed(sender, nest))
    assert str(error) == "malformed: nested deeper than a bundle is"


@pytest.mark.parametrize("cost", ["NaN", "sNaN", "Infinity", "-Infinity", "1e3", "-40.00", "0"])
def test_an_hourly_cost_that_is_not_an_amount_is_refused(sender, tmp_path, cost):
    def poison(payload):
        total_cell(payload)["hourly_cost_eur"] = cost

    assert "hourly_cost_eur" in str(refusal(tmp_path, signed(sender, poison)))


def test_a_json_nan_constant_is_refused_as_not_json(tmp_path):
    error = refusal(tmp_path, b'{"payload":{"cells":[NaN]},"public_key":"k","signature":"s"}\n')
    assert str(error) == "malformed: the file is not JSON"


def test_a_nul_in_a_text_is_refused_before_the_database_sees_it(sender, tmp_path):
    def poison(payload):
        payload["association"]["name"] = "ASBL\x00"

    assert str(refusal(tmp_path, signed(sender, poison))) == (
        "malformed: a control character in a text"
    )


def test_a_bundle_dated_in_the_far_future_is_refused_and_later_bundles_still_pass(sender, tmp_path):
    # Given a bundle dated 9999-12-31, signed by the association's own key
    def far_future(payload):
        payload["issued_at"] = "9999-12-31T23:59:59+00:00"

    # When it is imported, then it is refused and poisons nothing
    error = refusal(tmp_path, signed(sender, far_future))
    assert str(error).startswith("refused: issued 9999-12-31T23:59:59+00:00, later than")

    # And a genuine bundle afterwards is accepted
    path = tmp_path / "genuine.json"
    path.write_bytes(signed(sender))
    call_command("import_evidence", str(path))
    assert ImportedBundle.objects.count() == 1


@pytest.mark.parametrize("when", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"])
def test_a_date_beyond_what_can_be_stored_is_refused(sender, tmp_path, when):
    def extreme(payload):
        payload["issued_at"] = when

    assert "issued_at" in str(refusal(tmp_path, signed(sender, extreme)))


def test_a_future_bundle_accepted_before_the_rule_blocks_no_later_bundle(sender):
    # Given a bundle with a far-future date already on record
    federation, association = sender
    remote = federation.remote_associations.get()
    ImportedBundle.objects.create(
        source=remote,
        bundle_id="f" * 32,
        issued_at=dt.datetime(9999, 12, 31, tzinfo=dt.UTC),
        period_start=PERIOD.start,
        period_end=PERIOD.end,
        cells=0,
        sha256="0" * 64,
    )
    # Then a genuine bundle is still imported
    bundle_import(signed(sender))
    assert remote.bundles.count() == 2


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"transferred_requests": 4}, "transferred_requests exceeds external_requests"),
        (
            {"transferred_requests": 4, "external_requests": 4, "digital_requests": 4},
            "external_requests exceeds requests",
        ),
        ({"without_consent_do_for": 3, "do_for_requests": 2}, "without_consent_do_for exceeds"),
        (
            {f"{part}minutes": 2 for part in ("", "external_", "digital_", "transferred_")},
            "minutes cannot be the minutes of 3 requests",
        ),
        ({"minutes": 3 * 1440 + 1}, "minutes cannot be the minutes of 3 requests"),
        ({"requests": 2**31}, "counts must be non-negative integers"),
    ],
)
def test_a_cell_with_impossible_counts_is_refused(sender, tmp_path, changes, reason):
    def impossible(payload):
        total_cell(payload).update(changes)

    error = refusal(tmp_path, signed(sender, impossible))
    assert str(error).startswith("malformed: cell ") and reason in str(error)


def test_an_import_runs_as_a_job_with_an_audit_event(sender, tmp_path):
    path = tmp_path / "bundle.json"
    path.write_bytes(signed(sender))

    call_command("import_evidence", str(path))

    job = Job.objects.get(kind=Job.Kind.IMPORT)
    assert job.state == Job.State.SUCCEEDED and job.progress == 100
    assert job.params["file"] == "bundle.json" and job.result["cells"] > 0
    event = AuditEvent.objects.get(object_type="evidence_bundle")
    bundle = ImportedBundle.objects.get()
    assert event.object_id == bundle.bundle_id
    assert event.detail["association"] == sender[1].slug


def test_a_refused_import_is_a_failed_job_with_its_reason_and_no_audit_event(sender, tmp_path):
    def impossible(payload):
        total_cell(payload)["transferred_requests"] = 99

    error = refusal(tmp_path, signed(sender, impossible))

    job = Job.objects.get(kind=Job.Kind.IMPORT)
    assert job.state == Job.State.FAILED and job.finished_at <= timezone.now()
    assert job.result["errors"][0]["message"] == str(error)
    assert not AuditEvent.objects.filter(object_type="evidence_bundle").exists()
