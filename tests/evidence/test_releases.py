"""Releases: frozen, versioned, hashed tables for policymakers; open data once published."""

import csv
import hashlib
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from evidence.models import Release
from evidence.services import release_publish
from referrals.services import institution_create
from workload.metrics import METRICS_VERSION
from workload.models import DIMENSIONS
from workload.services import rollups_sweep_dirty

from .conftest import PERIOD, log, new_association, new_federation


@pytest.fixture
def federation():
    federation = new_federation(k=3)
    for number in range(4):
        association = new_association(federation)
        association.name = f"ASBL secrète {number}"
        association.save()
        log(association, times=2 + number)
    rollups_sweep_dirty()
    return federation


def test_a_release_freezes_every_table_with_its_methodology_and_hash(federation):
    release = release_publish(federation, PERIOD)
    content = json.loads(release.content)

    assert release.version == 1
    assert release.sha256 == hashlib.sha256(release.content.encode()).hexdigest()
    assert set(content["tables"]) == {"total", *DIMENSIONS}
    assert content["metrics_version"] == METRICS_VERSION
    assert set(content["methodology"]) == {"fr", "nl", "en"}
    assert content["k"] == 3
    assert content["associations"] == 4
    assert content["tables"]["total"][0]["requests"] == 14


def test_a_release_names_how_many_associations_contributed_never_which(federation):
    release = release_publish(federation, PERIOD)
    assert "secrète" not in release.content
    for association in federation.associations.all():
        assert association.slug not in release.content


def test_a_published_release_can_never_be_changed_or_deleted(federation):
    release = release_publish(federation, PERIOD)
    release.content = "{}"
    with pytest.raises(ValidationError):
        release.save()
    with pytest.raises(ValidationError):
        release.delete()
    assert Release.objects.get(pk=release.pk).content != "{}"


def test_new_figures_do_not_change_a_published_release(federation):
    release = release_publish(federation, PERIOD)
    log(new_association(federation), times=50)
    rollups_sweep_dirty()
    assert (
        json.loads(Release.objects.get(pk=release.pk).content)["tables"]["total"][0]["requests"]
        == 14
    )


def test_a_new_release_of_the_same_period_supersedes_the_previous_one(federation):
    first = release_publish(federation, PERIOD)
    other_period = release_publish(federation, PERIOD.__class__("2026-01", "2026-01"))
    second = release_publish(federation, PERIOD)

    first.refresh_from_db()
    other_period.refresh_from_db()
    assert second.version == 3
    assert first.superseded_by == second
    assert json.loads(second.content)["supersedes"] == 1
    assert other_period.superseded_by is None

    # Both say so, to anyone
    client = Client()
    old_page = client.get(f"/open-data/{federation.slug}/releases/1/")
    assert 'data-superseded-by="3"' in old_page.content.decode()
    new_page = client.get(f"/open-data/{federation.slug}/releases/3/")
    assert 'data-supersedes="1"' in new_page.content.decode()


def test_the_open_data_page_and_files_need_no_account(federation):
    release = release_publish(federation, PERIOD)
    client = Client()
    base = f"/open-data/{federation.slug}/releases/{release.version}/"

    page = client.get(base)
    assert page.status_code == 200
    assert release.sha256 in page.content.decode()

    as_json = client.get(base + "release.json")
    assert as_json.status_code == 200
    assert hashlib.sha256(as_json.content).hexdigest() == release.sha256

    as_csv = client.get(base + "release.csv")
    assert as_csv.status_code == 200
    lines = as_csv.content.decode().splitlines()
    assert lines[0].startswith("table,month,group,suppressed,requests")
    assert lines[1].startswith("total,2026-01,,false,14,")

    assert client.get(f"/open-data/{federation.slug}/releases/").status_code == 200
    assert client.get(f"/open-data/{federation.slug}/releases/99/").status_code == 404
    assert client.get("/open-data/nobody/releases/1/").status_code == 404


def test_the_release_opens_in_excel_in_belgium_with_the_figures_of_the_plain_file(federation):
    release = release_publish(federation, PERIOD)
    base = f"/open-data/{federation.slug}/releases/{release.version}/"
    client = Client()

    excel = client.get(base + "release-excel-be.csv", HTTP_ACCEPT_LANGUAGE="nl")
    plain = client.get(base + "release.csv")

    assert excel.status_code == 200
    assert excel["Content-Disposition"].endswith(
        f'-{release.version}-2026-01-2026-02-excel-be.csv"'
    )
    text = excel.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][:5] == [
        "Tabel",
        "Maand",
        "Groep (code)",
        "Verborgen (statistisch geheim)",
        "Registraties",
    ]
    plain_rows = list(csv.reader(io.StringIO(plain.content.decode("utf-8"))))
    assert len(rows) == len(plain_rows)
    for got, expected in zip(rows[1:], plain_rows[1:], strict=True):
        assert [cell.replace(",", ".") for cell in got] == expected
    assert "release-excel-be.csv" in client.get(base).content.decode()


def test_a_suppressed_cell_reads_as_a_dash_on_the_open_data_page(federation):
    release = release_publish(federation, PERIOD)
    page = Client().get(f"/open-data/{federation.slug}/releases/{release.version}/")
    # February is empty: suppressed, never missing
    assert 'data-suppressed="true"' in page.content.decode()
    assert "—" in page.content.decode()


def test_a_body_seen_only_in_suppressed_cells_is_not_named(federation):
    rare = institution_create(name="CPAS de Rareville", kind="cpas", postcode="1999")
    log(federation.associations.first(), responsible_kind="cpas", responsible_institution=rare)
    rollups_sweep_dirty()

    release = release_publish(federation, PERIOD)
    content = json.loads(release.content)

    rows = [r for r in content["tables"]["responsible_institution"] if r["group"] == rare.pk]
    assert rows and all(r["suppressed"] for r in rows)
    assert str(rare.pk) not in content["institutions"]
    assert "Rareville" not in json.dumps(content)
    page = Client().get(f"/open-data/{federation.slug}/releases/{release.version}/")
    assert page.status_code == 200 and "Rareville" not in page.content.decode()
