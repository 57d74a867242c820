"""Importing a file of contact attempts: labels or codes in French, Dutch or English, a body by
its name or registry number, every problem of every line named at once with nothing written,
neither the same file twice nor rows already in the diary doubled, and the figures of the
months imported follow as they follow an attempt saved by hand."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from attempts.imports import (
    attempts_file_check,
    attempts_file_write,
    attempts_header_fits,
    attempts_import_template,
    file_kind_check,
)
from attempts.models import ContactAttempt
from cases.models import ImportedFile
from freshness.models import DirtyMonth
from referrals.models import Institution
from tests.factories import AssociationFactory, log_attempt, log_entry
from workload.selectors import monthly_table_for_association, period_parse
from workload.services import rollups_sweep_dirty

OCTOBER = period_parse("2026-10", "2026-10")
HEADER = "occurred_on;institution_kind;institution;channel;result;waited_minutes;entry_id"


def csv(*rows, header=HEADER) -> bytes:
    return "\n".join([header, *rows]).encode("utf-8")


def import_file(association, content, filename="tentatives.csv") -> int:
    checked = attempts_file_check(association=association, content=content)
    return attempts_file_write(association=association, checked=checked, filename=filename)


def refusal(association, content) -> dict:
    with pytest.raises(ValidationError) as caught:
        attempts_file_check(association=association, content=content)
    return caught.value.message_dict


def october(association):
    rollups_sweep_dirty()
    return monthly_table_for_association(association=association, period=OCTOBER)[0]


def test_a_file_of_attempts_in_codes_imports_each_row_as_an_attempt():
    association = AssociationFactory()
    pensions = Institution.objects.filter(kind="pub_fed").order_by("pk").first()

    count = import_file(
        association,
        csv(
            f"2026-10-06;;{pensions.name};phone;line_saturated;35;",
            "06/10/2026;cpas;;counter;counter_closed;20;",
        ),
    )

    assert count == 2
    attempts = ContactAttempt.objects.for_association(association).order_by("waited_minutes")
    assert [(a.channel, a.result, a.waited_minutes) for a in attempts] == [
        ("counter", "counter_closed", 20),
        ("phone", "line_saturated", 35),
    ]
    assert attempts[1].institution == pensions
    # The body's own kind is stored, as a save by hand stores it.
    assert attempts[1].institution_kind == pensions.kind
    assert {a.month for a in attempts} == {"2026-10"}
    assert ImportedFile.objects.get(association=association).attempts_imported == 2


@pytest.mark.parametrize(
    "header, row",
    [
        (
            "Date;Type d'institution;Canal essayé;Résultat;Temps perdu (minutes)",
            "2026-10-06;CPAS;Téléphone (ligne générale ou helpdesk);"
            "Ligne saturée, file d'attente abandonnée;35",
        ),
        (
            "Datum;Soort instelling;Geprobeerd kanaal;Resultaat;Verloren tijd (minuten)",
            "2026-10-06;ocmw;TELEFOON (algemene lijn of helpdesk);"
            "Lijn overbelast, wachtrij opgegeven;35",
        ),
    ],
    ids=["fr", "nl"],
)
def test_labels_in_french_or_dutch_import_the_same_attempt_as_the_codes(header, row):
    by_labels, by_codes = AssociationFactory(), AssociationFactory()

    import_file(by_labels, csv(row, header=header))
    import_file(by_codes, csv("2026-10-06;cpas;;phone;line_saturated;35;"))

    def values(association):
        return list(
            ContactAttempt.objects.for_association(association).values_list(
                "occurred_on", "institution_kind", "channel", "result", "waited_minutes"
            )
        )

    assert values(by_labels) == values(by_codes)


def test_every_problem_of_every_line_is_named_by_line_and_column_and_nothing_is_written():
    association = AssociationFactory()

    with translation.override("fr"):
        problems = refusal(
            association,
            csv(
                "2026-10-06;cpas;;phone;line_saturated;35;",
                "2026-13-40;cpas;;pigeon;line_saturated;35;",
                "2026-10-07;;;phone;;700;",
                "2026-10-08;cpas;Nowhere at all;phone;no_answer;12;abc",
            ),
        )

    assert set(problems) == {
        "3.occurred_on",
        "3.channel",
        "4.institution_kind",
        "4.result",
        "4.waited_minutes",
        "5.institution",
        "5.entry_id",
    }
    assert "600" in problems["4.waited_minutes"][0]
    assert "pigeon" in problems["3.channel"][0]
    assert problems["5.entry_id"] == ["Saisie inconnue."]
    assert not ContactAttempt.objects.exists()
    assert not ImportedFile.objects.exists()


def test_a_file_without_a_required_column_is_refused_naming_it():
    problems = refusal(AssociationFactory(), csv("2026-10-06;cpas;phone", header="date;kind;x"))

    assert "file" in problems
    assert "waited_minutes" in problems["file"][0] and "result" in problems["file"][0]


def test_an_attempt_may_name_an_entry_of_the_association_by_its_number_not_anothers():
    association = AssociationFactory()
    entry = log_entry(association, occurred_on=dt.date(2026, 10, 6))
    theirs = log_entry(AssociationFactory(), occurred_on=dt.date(2026, 10, 6))

    problems = refusal(association, csv(f"2026-10-06;cpas;;phone;no_answer;10;{theirs.pk}"))
    assert list(problems) == ["2.entry_id"]

    import_file(association, csv(f"2026-10-06;cpas;;phone;no_answer;10;{entry.pk}"))
    assert ContactAttempt.objects.get(association=association).assistance_request == entry


def test_the_same_file_twice_is_refused_and_rows_already_in_the_diary_are_not_doubled():
    association = AssociationFactory()
    log_attempt(
        association, occurred_on=dt.date(2026, 10, 6), institution_kind="cpas", result="no_answer"
    )
    first = csv(
        "2026-10-06;cpas;;phone;no_answer;35;",  # the one logged by hand
        "2026-10-06;cpas;;phone;no_answer;35;",  # the same line rang out twice: a second one
    )

    checked = attempts_file_check(association=association, content=first)
    assert checked.already_there == [2]
    attempts_file_write(association=association, checked=checked)
    assert ContactAttempt.objects.for_association(association).count() == 2

    with translation.override("en"):
        problems = refusal(association, first)
    assert "already imported" in problems["file"][0]
    assert ContactAttempt.objects.for_association(association).count() == 2


def test_imported_attempts_reach_the_figures_as_attempts_saved_by_hand():
    imported, by_hand = AssociationFactory(), AssociationFactory()
    rows = [
        ("2026-10-06", "pub_fed", "phone", "line_saturated", 35),
        ("2026-10-07", "cpas", "counter", "counter_closed", 20),
        ("2026-10-08", "cpas", "phone", "answered", 5),
    ]
    for day, kind, channel, result, minutes in rows:
        log_attempt(
            by_hand,
            occurred_on=dt.date.fromisoformat(day),
            institution_kind=kind,
            channel=channel,
            result=result,
            waited_minutes=minutes,
        )
    DirtyMonth.objects.filter(association=imported).delete()

    import_file(imported, csv(*(";".join([d, k, "", c, r, str(m), ""]) for d, k, c, r, m in rows)))

    assert DirtyMonth.objects.filter(association=imported, month="2026-10").exists()
    figures, expected = october(imported), october(by_hand)
    assert figures["attempts"] == 3
    assert {k: v for k, v in figures.items() if "attempt" in k} == {
        k: v for k, v in expected.items() if "attempt" in k
    }


def test_the_template_as_downloaded_imports_its_example_row():
    association = AssociationFactory()
    template = attempts_import_template("nl")

    header = template.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Datum;Soort instelling;Instelling;Geprobeerd kanaal;")
    assert import_file(association, template.content) == 1
    attempt = ContactAttempt.objects.get(association=association)
    assert (attempt.channel, attempt.result, attempt.waited_minutes) == (
        "phone",
        "line_saturated",
        35,
    )


def test_a_file_of_one_kind_chosen_as_the_other_is_refused_saying_which_it_is():
    attempts_head = csv("2026-10-06;cpas;;phone;no_answer;35;")
    entries_head = (
        b"occurred_on;duration_minutes;channel;procedure_domain;referrer_kind;"
        b"responsible_kind;mode;outcome;consent\n"
    )
    assert attempts_header_fits(attempts_head) and not attempts_header_fits(entries_head)

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        file_kind_check("entries", attempts_head)
    assert "contact attempts" in caught.value.message_dict["file_kind"][0]
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        file_kind_check("attempts", entries_head)
    assert "entries of the log" in caught.value.message_dict["file_kind"][0]
    assert file_kind_check("", entries_head) == "entries"
    assert file_kind_check("attempts", attempts_head) == "attempts"
