"""Importing a log from a CSV file: another instance's export reads back as it was written, a
spreadsheet with semicolons, body names and labels in French or Dutch works, one bad row
writes nothing and every problem of every line is listed at once, and neither the same file
twice nor rows already in the log double the entries."""

import datetime as dt
import io
import unicodedata

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from cases.entry_fields import entry_fingerprint, entry_values
from cases.imports import IMPORTED, CodeIndex
from cases.models import AssistanceRequest
from referrals.models import Institution
from taxonomy import Code, get_taxonomy
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
    assert "line 3, column duration_minutes" in message
    assert "line 4, column channel" in message
    assert "line 5, column referred_by" in message
    assert not AssistanceRequest.objects.exists()

    file.write_text("\n".join([HEADER, good, good.replace("on_site", "pigeon")]))
    with pytest.raises(CommandError, match="line 3, column channel"):
        run("--org", association.slug, str(file))
    assert not AssistanceRequest.objects.exists()


def test_check_reads_the_whole_file_and_writes_nothing(tmp_path):
    association = AssociationFactory()
    file = tmp_path / "log.csv"
    file.write_text(
        HEADER + "\n2026-10-06;30;on_site;tax.pit_return;cpas;;pub_fed;;;do_for;resolved;oral;\n"
    )

    assert "1 entry is ready" in run("--org", association.slug, str(file), "--check")
    assert not AssistanceRequest.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"occurred_on,duration_minutes\n2026-10-06,30\n",
            r"Columns missing: Channel \(channel\), Procedure \(procedure_domain\)",
        ),
        ("occurred_on;durée\n".encode("latin-1"), "UTF-8"),
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


def header_in(language: str, separator: str = ";") -> str:
    with translation.override(language):
        return separator.join(str(f.label) for f in IMPORTED)


def labels_row(language: str, mangle=lambda label: label) -> str:
    """GOOD_CODES as a worker types it in a spreadsheet: the labels of the codes."""
    taxonomy = get_taxonomy()

    def label(section, code):
        return mangle(taxonomy.label(section, code, language))

    return ";".join(
        [
            "2026-10-06",
            "30",
            label("channels", "on_site"),
            label("procedure_domains", "tax.pit_return"),
            label("referrer_types", "cpas"),
            "",
            label("referrer_types", "pub_fed"),
            "",
            # Two codes in one cell: quoted, since the file itself is separated by semicolons.
            f'"{label("digital_barriers", "itsme")}; {label("digital_barriers", "no_device")}"',
            label("assistance_modes", "do_for"),
            label("outcomes", "resolved"),
            label("consent_types", "oral"),
            "",
        ]
    )


GOOD_CODES = (
    "2026-10-06;30;on_site;tax.pit_return;cpas;;pub_fed;;itsme, no_device;do_for;resolved;oral;"
)


def fingerprints(association) -> list[tuple]:
    entries = AssistanceRequest.objects.filter(association=association).order_by("pk")
    return [entry_fingerprint(entry_values(entry)) for entry in entries]


def without_accents_in_capitals(label: str) -> str:
    plain = unicodedata.normalize("NFKD", label)
    return "  " + "".join(c for c in plain if not unicodedata.combining(c)).upper() + " "


def test_labels_in_french_and_dutch_import_the_same_entries_as_the_codes(tmp_path):
    by_codes, in_french, in_dutch = AssociationFactory(), AssociationFactory(), AssociationFactory()
    files = {
        by_codes: HEADER + "\n" + GOOD_CODES,
        # The template's header in French, labels typed without accents, in capitals, spaced.
        in_french: header_in("fr") + "\n" + labels_row("fr", without_accents_in_capitals),
        in_dutch: header_in("nl") + "\n" + labels_row("nl"),
    }
    for association, text in files.items():
        file = tmp_path / f"{association.slug}.csv"
        file.write_text(text, encoding="utf-8")
        run("--org", association.slug, str(file))

    assert len(fingerprints(by_codes)) == 1
    assert fingerprints(in_french) == fingerprints(by_codes)
    assert fingerprints(in_dutch) == fingerprints(by_codes)
    entry = AssistanceRequest.objects.get(association=in_dutch)
    assert (entry.channel, entry.procedure_domain, entry.barrier_codes) == (
        "on_site",
        "tax.pit_return",
        ["itsme", "no_device"],
    )


def test_a_label_two_codes_share_is_refused_naming_the_codes():
    index = CodeIndex(
        [
            Code("tax.pit_return", {"fr": "Déclaration", "nl": "Aangifte", "en": "Return"}),
            Code("vat.return", {"fr": "Déclaration", "nl": "BTW-aangifte", "en": "VAT return"}),
        ]
    )

    assert index.find(" aangifte ") == "tax.pit_return"
    assert index.find("TAX.PIT_RETURN") == "tax.pit_return"
    with translation.override("en"), pytest.raises(ValueError) as refused:
        index.find("declaration")
    assert str(refused.value) == (
        "“declaration” is the label of several codes (tax.pit_return, vat.return): write the code."
    )


def test_every_problem_of_every_line_is_listed_at_once(tmp_path):
    association = AssociationFactory()
    file = tmp_path / "log.csv"
    a_bad_date_and_a_bad_code = GOOD_CODES.replace("2026-10-06", "2026-13-45").replace(
        "do_for", "juggling"
    )
    a_duration_out_of_range = GOOD_CODES.replace(";30;", ";1500;")
    file.write_text(
        "\n".join([HEADER, GOOD_CODES, a_bad_date_and_a_bad_code, a_duration_out_of_range])
    )

    with pytest.raises(CommandError) as refused:
        run("--org", association.slug, str(file))

    problems = str(refused.value).splitlines()
    assert problems[0] == "nothing was imported:"
    assert problems[1].startswith("line 3, column occurred_on: Enter a valid date")
    assert problems[2].startswith("line 3, column mode: “juggling” is neither a code nor a label")
    assert problems[3].startswith("line 4, column duration_minutes: The duration must be between")
    assert len(problems) == 4
    assert not AssistanceRequest.objects.exists()


def test_the_same_file_twice_creates_the_entries_once_and_says_when_it_came(tmp_path):
    association = AssociationFactory()
    file = tmp_path / "log.csv"
    file.write_text("\n".join([HEADER, GOOD_CODES, GOOD_CODES.replace(";30;", ";45;")]))
    run("--org", association.slug, str(file))

    with pytest.raises(CommandError, match="This file was already imported on "):
        run("--org", association.slug, str(file))

    assert AssistanceRequest.objects.filter(association=association).count() == 2
    # Another association may import the same file: it is not the same log.
    run("--org", AssociationFactory().slug, str(file))
    assert AssistanceRequest.objects.count() == 4


def test_rows_already_in_the_log_are_named_and_not_imported_twice(tmp_path):
    association = AssociationFactory()
    log_entry(
        association,
        occurred_on=dt.date(2026, 10, 6),
        duration_minutes=30,
        channel="on_site",
        procedure_domain="tax.pit_return",
        referrer_kind="cpas",
        responsible_kind="pub_fed",
        barriers=["no_device", "itsme"],
        mode="do_for",
        outcome="resolved",
        consent="oral",
    )
    file = tmp_path / "log.csv"
    # Line 2 is the entry typed by hand; line 3, just like it, is a second person helped alike.
    file.write_text("\n".join([HEADER, GOOD_CODES, GOOD_CODES, GOOD_CODES.replace(";30;", ";45;")]))

    checked = run("--org", association.slug, str(file), "--check")
    assert "Already in the log, not imported again: line 2." in checked
    assert "2 entries are ready" in checked

    out = run("--org", association.slug, str(file))

    assert "Already in the log, not imported again: line 2." in out
    assert "Imported 2 entries" in out
    minutes = AssistanceRequest.objects.filter(association=association).order_by("pk")
    assert [e.duration_minutes for e in minutes] == [30, 30, 45]

    again = tmp_path / "again.csv"  # another file with the same rows: all already there
    again.write_text("\n".join([HEADER, GOOD_CODES, GOOD_CODES.replace(";30;", ";45;")]) + "\n")
    out = run("--org", association.slug, str(again))
    assert "lines 2, 3." in out and "Imported 0 entries" in out
    assert AssistanceRequest.objects.filter(association=association).count() == 3


def test_a_command_speaks_the_language_of_the_environment_english_by_default(tmp_path, monkeypatch):
    association = AssociationFactory()
    file = tmp_path / "log.csv"
    file.write_text("\n".join([HEADER, GOOD_CODES.replace(";30;", ";trente;")]))

    monkeypatch.setenv("LANGUAGE", "nl_BE:nl")
    with pytest.raises(CommandError) as in_dutch:
        run("--org", association.slug, str(file))
    monkeypatch.delenv("LANGUAGE")
    with pytest.raises(CommandError) as in_english:
        run("--org", association.slug, str(file))

    assert str(in_dutch.value) == (
        "er werd niets geïmporteerd:\n"
        "regel 2, kolom duration_minutes: Geef een geheel aantal minuten op."
    )
    assert str(in_english.value) == (
        "nothing was imported:\nline 2, column duration_minutes: Enter a whole number of minutes."
    )


RIGHTS_HEADER = (
    HEADER + ";rights_impact;non_take_up_type;right_months;right_monthly_eur;extra_cost_eur"
)
RIGHTS_ROW = "2026-10-06;30;on_site;tax.pit_return;cpas;;pub_fed;;;do_for;resolved;oral;"


@pytest.mark.parametrize(
    "ledger, monthly, extra",
    [
        ("temp_loss;non_demand;3;1.234,50;45,5", "1234.50", "45.50"),
        (
            "Interruption temporaire du revenu ou du droit;Non-demande;3;1 234,50 €;45,50",
            "1234.50",
            "45.50",
        ),
        (
            "Tijdelijke onderbreking van inkomen of recht;niet-aanvragen;3;1234.5;0",
            "1234.50",
            "0.00",
        ),
    ],
    ids=["codes, decimal comma", "French labels, spaces and euro sign", "Dutch labels, point"],
)
def test_the_rights_ledger_columns_import_with_belgian_decimal_commas(
    tmp_path, ledger, monthly, extra
):
    association = AssociationFactory()
    file = tmp_path / "droits.csv"
    file.write_text(RIGHTS_HEADER + "\n" + RIGHTS_ROW + ";" + ledger + "\n", encoding="utf-8")

    run("--org", association.slug, str(file))

    entry = AssistanceRequest.objects.get(association=association)
    assert (entry.rights_impact, entry.non_take_up_type, entry.right_months) == (
        "temp_loss",
        "non_demand",
        3,
    )
    assert (str(entry.right_monthly_eur), str(entry.extra_cost_eur)) == (monthly, extra)


def test_a_rights_amount_that_is_no_amount_is_refused_by_its_line_and_column(tmp_path):
    association = AssociationFactory()
    file = tmp_path / "droits.csv"
    file.write_text(
        RIGHTS_HEADER + "\n" + RIGHTS_ROW + ";temp_loss;non_demand;3;beaucoup;12,345\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as caught, translation.override("en"):
        run("--org", association.slug, str(file))

    message = str(caught.value)
    assert "line 2, column right_monthly_eur" in message
    assert "line 2, column extra_cost_eur" in message
    assert not AssistanceRequest.objects.filter(association=association).exists()
