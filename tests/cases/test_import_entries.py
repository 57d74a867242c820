"""Importing a log from a CSV file: another instance's export reads back as it was written, a
spreadsheet with semicolons and body names works, and one bad row writes nothing."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from cases.models import AssistanceRequest
from referrals.models import Institution
from tests.factories import AssociationFactory, log_entry
from workload.log_export import log_export
from workload.selectors import monthly_table_for_association, period_parse
from workload.services import rollups_sweep_dirty

pytestmark = pytest.mark.django_db

OCTOBER = period_parse("2026-10", "2026-10")
HEADER = (
    "occurred_on;duration_minutes;channel;procedure_domain;referrer_kind;referred_by;"
    "responsible_kind;responsible_institution;barriers;mode;outcome;consent;sensitive_flags"
)


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_entries", *args, stdout=out)
    return out.getvalue()


def october_total(association):
    rollups_sweep_dirty()
    return monthly_table_for_association(association=association, period=OCTOBER)[0]


def test_another_instances_log_export_imports_as_it_was(tmp_path):
    cpas = Institution.objects.filter(kind="cpas").first()
    source, target = AssociationFactory(), AssociationFactory()
    log_entry(source, occurred_on=dt.date(2026, 10, 6), duration_minutes=45, barriers=["itsme"])
    log_entry(
        source,
        occurred_on=dt.date(2026, 10, 7),
        duration_minutes=20,
        referred_by=cpas,
        responsible_institution=cpas,
        sensitive_flags=["pin"],
        consent="oral",
    )
    file = tmp_path / "log.csv"
    file.write_bytes(log_export(association=source, period=OCTOBER, fmt="csv").content)

    out = run("--org", target.slug, str(file))

    assert "Imported 2 entries" in out and "100%" in out
    imported = AssistanceRequest.objects.filter(association=target).order_by("occurred_on")
    assert [e.duration_minutes for e in imported] == [45, 20]
    assert imported[0].barrier_codes == ["itsme"]
    assert imported[1].responsible_institution == cpas
    assert imported[1].sensitive_flag_codes == ["pin"]
    assert october_total(target) == {**october_total(source)}


def test_a_spreadsheet_with_semicolons_and_body_names_imports(tmp_path):
    association = AssociationFactory()
    cpas = Institution.objects.filter(kind="cpas").first()
    file = tmp_path / "tableur.csv"
    file.write_text(
        "\ufeff"
        + HEADER
        + "\n2026-10-06;30;on_site;tax.pit_return;cpas;"
        + cpas.name.upper()
        + ";pub_fed;;itsme, no_device;do_for;resolved;oral;\n",
        encoding="utf-8",
    )

    run("--org", association.slug, str(file))

    entry = AssistanceRequest.objects.get(association=association)
    assert entry.referred_by == cpas
    assert entry.barrier_codes == ["itsme", "no_device"]
    assert october_total(association)["minutes"] == 30


def test_one_bad_row_writes_nothing_and_names_its_line_and_column(tmp_path):
    association = AssociationFactory()
    file = tmp_path / "log.csv"
    good = "2026-10-06;30;on_site;tax.pit_return;cpas;;pub_fed;;;do_for;resolved;oral;"
    file.write_text(
        "\n".join(
            [
                HEADER,
                good,
                good.replace(";30;", ";trente;"),
                good.replace("on_site", "pigeon"),
                good.replace(";cpas;;", ";cpas;CPAS de Nulle Part;"),
            ]
        ),
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as refused:
        run("--org", association.slug, str(file))

    message = str(refused.value)
    assert "nothing was imported" in message
    assert "line 3, duration_minutes" in message
    assert "line 5, referred_by" in message
    assert not AssistanceRequest.objects.exists()

    file.write_text("\n".join([HEADER, good, good.replace("on_site", "pigeon")]))
    with pytest.raises(CommandError, match="line 3, channel"):
        run("--org", association.slug, str(file))
    assert not AssistanceRequest.objects.exists()


def test_check_reads_the_whole_file_and_writes_nothing(tmp_path):
    association = AssociationFactory()
    file = tmp_path / "log.csv"
    file.write_text(
        HEADER + "\n2026-10-06;30;on_site;tax.pit_return;cpas;;pub_fed;;;do_for;resolved;oral;\n"
    )

    assert "1 entries are ready" in run("--org", association.slug, str(file), "--check")
    assert not AssistanceRequest.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"occurred_on,duration_minutes\n2026-10-06,30\n", "file: .*channel, procedure_domain"),
        ("occurred_on;durée\n".encode("latin-1"), "file: .*UTF-8"),
    ],
)
def test_a_file_that_is_no_log_is_refused_by_name(tmp_path, content, expected):
    association = AssociationFactory()
    file = tmp_path / "log.csv"
    file.write_bytes(content)

    with pytest.raises(CommandError, match=expected):
        run("--org", association.slug, str(file))


def test_an_unknown_association_or_file_is_one_line():
    with pytest.raises(CommandError, match="org: no association"):
        run("--org", "nobody", "log.csv")
    with pytest.raises(CommandError, match="file: "):
        run("--org", AssociationFactory().slug, "no-such-file.csv")
