"""Associations on their own servers feed their federation through signed bundles: the
figures a federation computes from imported bundles equal those of the same associations on
one server, and a changed, replayed, older or malformed bundle is refused."""

import base64
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.bundles import (
    BundleRefused,
    bundle_build,
    bundle_import,
    remote_association_register,
    signing_key_get_or_create,
)
from evidence.canonical import canonical_json
from evidence.models import ImportedCell
from evidence.selectors import federation_aggregates
from referrals.models import Institution
from workload.models import DIMENSIONS, Rollup
from workload.services import rollups_sweep_dirty

from .conftest import FEBRUARY, PERIOD, log, new_association, new_federation


def three_instances(federation):
    """Three associations' logs, as three servers would hold them."""
    associations = [
        new_association(federation, hourly_cost_eur=c) for c in ("40.00", "37.35", "52.10")
    ]
    for number, association in enumerate(associations, start=3):
        log(association, times=number)
        log(association, times=2, barriers=["once_only"], procedure_domain="bank.app_auth")
        log(association, times=number, occurred_on=FEBRUARY, barriers=[], mode="do_with")
    rollups_sweep_dirty()
    return associations


def register(federation, association):
    key, _ = signing_key_get_or_create(association=association)
    remote_association_register(
        federation=federation, slug=association.slug, public_key=key.public_key
    )


@pytest.fixture
def setup():
    local = new_federation(k=5)
    associations = three_instances(local)
    remote = new_federation(k=5)
    for association in associations:
        register(remote, association)
    return local, remote, associations


def test_figures_from_three_instances_equal_the_figures_of_one_server(setup, tmp_path):
    local, remote, associations = setup

    # When each association's server exports a bundle and the federation's server imports it
    for association in associations:
        path = tmp_path / f"{association.slug}.json"
        call_command(
            "export_evidence",
            "--federation", remote.slug, "--from", PERIOD.start, "--to", PERIOD.end,
            "--association", association.slug, "--output", str(path),
        )  # fmt: skip
        call_command("import_evidence", str(path))

    # Then every table of the federation is the one computed on a single server
    for dimension in (None, *DIMENSIONS):
        one_server = federation_aggregates(local, PERIOD, dimension)
        bundles = federation_aggregates(remote, PERIOD, dimension)
        assert bundles["associations"] == one_server["associations"] == 3
        assert bundles["rows"] == one_server["rows"], dimension
    assert any(not row["suppressed"] for row in federation_aggregates(remote, PERIOD)["rows"])


def test_a_bundle_holds_cells_only(setup):
    _local, remote, associations = setup
    log(associations[0], notes="Madame X, née le 01/02/1960", times=1)
    rollups_sweep_dirty()
    data = bundle_build(association=associations[0], federation_slug=remote.slug, period=PERIOD)
    payload = json.loads(data)["payload"]
    assert set(payload["cells"][0]) >= {"month", "dimension", "group", "requests"}
    assert "Madame" not in data.decode()
    assert len(payload["cells"]) == Rollup.objects.filter(association=associations[0]).count()


def test_an_imported_association_counts_as_a_contributing_association():
    # Given two local sharing members and one association on its own server
    federation = new_federation(k=3)
    for _ in range(2):
        log(new_association(federation), times=3)
    elsewhere = new_association()
    log(elsewhere, times=3)
    rollups_sweep_dirty()
    assert federation_aggregates(federation, PERIOD)["rows"][0]["suppressed"] is True

    # When its bundle is imported
    register(federation, elsewhere)
    bundle_import(
        bundle_build(association=elsewhere, federation_slug=federation.slug, period=PERIOD)
    )

    # Then the cell has three contributors and is published
    table = federation_aggregates(federation, PERIOD)
    assert table["associations"] == 3
    assert table["rows"][0]["suppressed"] is False
    assert table["rows"][0]["requests"] == 9


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(where=st.floats(0, 1, exclude_max=True), new=st.integers(0, 255))
def test_a_bundle_changed_by_one_byte_is_refused(setup, where, new):
    _local, remote, associations = setup
    data = bundle_build(association=associations[0], federation_slug=remote.slug, period=PERIOD)
    position = int(where * len(data))
    if data[position] == new:
        new = (new + 1) % 256
    changed = data[:position] + bytes([new]) + data[position + 1 :]
    with pytest.raises(BundleRefused):
        bundle_import(changed)
    assert not ImportedCell.objects.filter(source__federation=remote).exists()


def test_a_changed_figure_is_refused_as_tampered(setup, tmp_path):
    _local, remote, associations = setup
    data = bundle_build(association=associations[0], federation_slug=remote.slug, period=PERIOD)
    bundle = json.loads(data)
    bundle["payload"]["cells"][0]["requests"] += 100
    path = tmp_path / "changed.json"
    path.write_bytes(canonical_json(bundle) + b"\n")
    with pytest.raises(CommandError, match="^tampered: the signature does not match"):
        call_command("import_evidence", str(path))


def test_a_replayed_bundle_is_refused(setup, tmp_path):
    _local, remote, associations = setup
    data = bundle_build(association=associations[0], federation_slug=remote.slug, period=PERIOD)
    path = tmp_path / "bundle.json"
    path.write_bytes(data)
    call_command("import_evidence", str(path))
    with pytest.raises(CommandError, match="^replayed: bundle .* was already imported"):
        call_command("import_evidence", str(path))


def test_a_bundle_older_than_an_accepted_one_is_refused(setup):
    _local, remote, associations = setup
    older = bundle_build(association=associations[0], federation_slug=remote.slug, period=PERIOD)
    newer = bundle_build(association=associations[0], federation_slug=remote.slug, period=PERIOD)
    bundle_import(newer)
    with pytest.raises(BundleRefused, match="^replayed: .*not after the last accepted"):
        bundle_import(older)


def test_a_newer_bundle_replaces_the_associations_cells(setup):
    _local, remote, associations = setup
    bundle_import(
        bundle_build(association=associations[0], federation_slug=remote.slug, period=PERIOD)
    )
    log(associations[0], times=4)
    rollups_sweep_dirty()
    bundle_import(
        bundle_build(association=associations[0], federation_slug=remote.slug, period=PERIOD)
    )
    cell = ImportedCell.objects.get(
        source__slug=associations[0].slug, month="2026-01", dimension="total"
    )
    assert cell.requests == 3 + 2 + 4


def test_a_bundle_signed_with_another_key_is_refused(setup):
    _local, remote, associations = setup
    signing_key_get_or_create(association=associations[0], rotate=True)
    data = bundle_build(association=associations[0], federation_slug=remote.slug, period=PERIOD)
    with pytest.raises(BundleRefused, match="not the registered one"):
        bundle_import(data)


def test_a_bundle_of_an_unregistered_association_is_refused():
    federation = new_federation()
    stranger = new_association()
    data = bundle_build(association=stranger, federation_slug=federation.slug, period=PERIOD)
    with pytest.raises(BundleRefused, match="^refused: no key is registered"):
        bundle_import(data)


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"not json", "^malformed: the file is not JSON"),
        (b"[]\n", "^malformed: expected payload"),
        (b'{"payload":{},"public_key":"x","signature":"y"}\n', "^malformed: association"),
    ],
)
def test_a_malformed_bundle_is_refused_with_a_reason(data, reason):
    with pytest.raises(BundleRefused, match=reason):
        bundle_import(data)


def test_a_signed_bundle_that_breaks_the_schema_is_refused(setup):
    # Even an association's own (buggy) server cannot feed a negative count
    _local, remote, associations = setup
    key, _ = signing_key_get_or_create(association=associations[0])
    bundle = json.loads(
        bundle_build(association=associations[0], federation_slug=remote.slug, period=PERIOD)
    )
    bundle["payload"]["cells"][0]["minutes"] = -5
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(key.private_key))
    bundle["signature"] = base64.b64encode(private.sign(canonical_json(bundle["payload"]))).decode()
    with pytest.raises(BundleRefused, match="^malformed: cell 1: counts"):
        bundle_import(canonical_json(bundle) + b"\n")


def test_the_key_commands_print_and_register_the_public_key(capsys):
    federation = new_federation()
    association = new_association()
    call_command("evidence_keygen", "--association", association.slug)
    public_key = capsys.readouterr().out.strip()
    assert len(base64.b64decode(public_key)) == 32
    call_command(
        "register_association_key",
        "--federation", federation.slug, "--association", association.slug,
        "--public-key", public_key,
    )  # fmt: skip
    assert federation.remote_associations.get().public_key == public_key
    with pytest.raises(CommandError, match="public_key"):
        call_command(
            "register_association_key",
            "--federation", federation.slug, "--association", association.slug,
            "--public-key", "not-a-key",
        )  # fmt: skip


def test_an_association_that_stopped_sharing_cannot_export_to_that_federation():
    federation = new_federation()
    association = new_association(federation)
    from organisations.services import association_set_sharing

    association_set_sharing(association=association, federation=federation, shares=False)
    with pytest.raises(CommandError, match="^federation: The association does not share"):
        call_command(
            "export_evidence", "--federation", federation.slug,
            "--from", "2026-01", "--to", "2026-02", "--association", association.slug,
        )  # fmt: skip


def resign(bundle, association):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key, _ = signing_key_get_or_create(association=association)
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(key.private_key))
    bundle["signature"] = base64.b64encode(private.sign(canonical_json(bundle["payload"]))).decode()
    return canonical_json(bundle) + b"\n"


def test_a_body_unknown_to_the_federations_registry_joins_it_on_import(setup):
    # Given a bundle naming a body that only the sender's registry holds
    _local, remote, associations = setup
    body = Institution.objects.filter(kind="cpas").order_by("pk").first()
    log(associations[0], times=1, responsible_institution=body)
    rollups_sweep_dirty()
    bundle = json.loads(
        bundle_build(association=associations[0], federation_slug=remote.slug, period=PERIOD)
    )
    sent = bundle["payload"]["institutions"][str(body.pk)]
    sent.update(code=None, name="CPAS de Nulle-Part", postcode="9999")

    # When the federation imports it
    bundle_import(resign(bundle, associations[0]))

    # Then the body is in the registry and the cells name it by its id here
    added = Institution.objects.get(name="CPAS de Nulle-Part", postcode="9999")
    assert ImportedCell.objects.filter(
        dimension="responsible_institution", group_key=str(added.pk)
    ).exists()
