"""A director's Once-Only complaint: which entries it groups, where it goes, what it says and
how it is followed; the two entry fields it quotes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from audit.models import AuditEvent
from cases.models import AssistanceRequest
from complaints import selectors, services
from complaints.letter import complaint_letter, letter_text
from complaints.models import CompetentBody, Complaint
from referrals.models import Institution
from tests.factories import AssociationFactory, InstitutionFactory, log_entry

from .conftest import once_only_entry

pytestmark = pytest.mark.usefixtures("bodies")


def test_the_table_is_seeded_with_the_three_services_each_with_its_source():
    bodies = {b.level: b for b in CompetentBody.objects.all()}
    assert set(bodies) == {"federal", "brussels", "wallonia"}
    assert "BOSA" in bodies["federal"].name_fr
    assert bodies["brussels"].name_fr.startswith("easy.brussels")
    assert bodies["wallonia"].name_fr.startswith("eWBS")
    assert all(b.source and b.source_date for b in bodies.values())


def test_an_entry_keeps_the_document_asked_for_and_the_body_holding_it(association):
    entry = once_only_entry(association)
    entry.refresh_from_db()
    assert entry.has_once_only
    assert entry.once_only_document == "composition de ménage"
    assert entry.once_only_holder == Institution.objects.get(code="rn")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Uniquement pour une entrée"),
        ("nl", "Enkel voor een aanvraag"),
        ("en", "Only for an entry"),
    ],
)
def test_the_document_without_the_once_only_barrier_is_refused_naming_the_field(
    association, language, message
):
    with translation.override(language), pytest.raises(ValidationError) as refused:
        log_entry(association, barriers=["itsme"], once_only_document="composition de ménage")
    assert list(refused.value.message_dict) == ["once_only_document"]
    assert message in refused.value.message_dict["once_only_document"][0]
    assert not AssistanceRequest.objects.exists()


def test_a_national_number_in_the_document_is_refused(association):
    with pytest.raises(ValidationError) as refused:
        once_only_entry(association, once_only_document="composition pour 85.07.30-033.28")
    assert list(refused.value.message_dict) == ["once_only_document"]


def test_a_complaint_about_a_brussels_body_goes_to_easy_brussels(association, housing):
    entries = [once_only_entry(association, responsible_institution=housing) for _ in range(2)]
    complaint = services.complaint_create(
        association=association, entries=[e.pk for e in entries], language="fr"
    )
    assert complaint.addressed_to.level == "brussels"
    assert complaint.status == Complaint.Status.DRAFT
    assert set(complaint.entries.all()) == set(entries)
    assert AuditEvent.objects.filter(object_type="once_only_complaint", action="create").exists()


def test_a_complaint_about_a_federal_body_goes_to_the_federal_service(association):
    entry = once_only_entry(
        association, responsible_institution=Institution.objects.get(code="onem")
    )
    complaint = services.complaint_create(association=association, entries=[entry.pk])
    assert complaint.addressed_to.level == "federal"


def test_the_director_may_address_another_service(association, housing):
    entry = once_only_entry(association, responsible_institution=housing)
    walloon = CompetentBody.objects.get(level="wallonia")
    complaint = services.complaint_create(
        association=association, entries=[entry.pk], addressed_to=str(walloon.pk)
    )
    assert complaint.addressed_to == walloon


def test_an_entry_without_the_barrier_or_of_another_association_is_refused(association):
    plain = log_entry(association)
    theirs = once_only_entry(AssociationFactory())
    for entries in ([plain.pk], [theirs.pk], [], "12"):
        with pytest.raises(ValidationError) as refused:
            services.complaint_create(association=association, entries=entries)
        assert "entries" in refused.value.message_dict
    assert not Complaint.objects.exists()


def test_a_language_other_than_french_or_dutch_is_refused(association):
    entry = once_only_entry(association)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.complaint_create(association=association, entries=[entry.pk], language="de")
    assert refused.value.message_dict == {"language": ["Choose French or Dutch."]}


def test_the_letter_states_the_facts_without_the_person_unless_they_consented(
    association, housing, person
):
    without = once_only_entry(
        association,
        occurred_on=dt.date(2026, 10, 6),
        responsible_institution=housing,
        person=person,
        consent="none",
    )
    complaint = services.complaint_create(association=association, entries=[without.pk])
    text = letter_text(complaint_letter(complaint, list(complaint.entries.all())))
    assert "Le 6 octobre 2026, Logement bruxellois a demandé" in text
    assert "« composition de ménage »" in text or "“composition de ménage”" in text
    assert "Registre national" in text
    assert "MB-12" not in text
    assert "Ce signalement ne nomme aucune personne." in text

    consented = once_only_entry(
        association, responsible_institution=housing, person=person, consent="written"
    )
    complaint = services.complaint_create(association=association, entries=[consented.pk])
    assert "MB-12" in letter_text(complaint_letter(complaint, list(complaint.entries.all())))


def test_the_letter_is_written_in_dutch_when_asked(association, housing):
    entry = once_only_entry(
        association, occurred_on=dt.date(2026, 10, 6), responsible_institution=housing
    )
    complaint = services.complaint_create(
        association=association, entries=[entry.pk], language="nl"
    )
    letter = complaint_letter(complaint, [entry])
    assert letter["addressee"]["name"].startswith("easy.brussels – Brussels Gewestelijk")
    assert letter["facts"][0].startswith("Op 6 oktober 2026")
    assert letter["salutation"] == "Geachte mevrouw, geachte heer,"


def test_tracking_records_sent_answered_and_closed(association):
    complaint = services.complaint_create(
        association=association, entries=[once_only_entry(association).pk]
    )
    services.complaint_track(
        complaint=complaint,
        status="answered",
        sent_on=dt.date(2026, 10, 10),
        answered_on=dt.date(2026, 11, 2),
        answer="Le service concerné a été rappelé à l'ordre.",
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.sent_on, complaint.answered_on) == (
        "answered",
        dt.date(2026, 10, 10),
        dt.date(2026, 11, 2),
    )
    assert AuditEvent.objects.filter(object_type="once_only_complaint", action="update").exists()


def test_tracking_refuses_an_answer_before_the_sending_and_a_status_without_its_date(association):
    complaint = services.complaint_create(
        association=association, entries=[once_only_entry(association).pk]
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.complaint_track(
            complaint=complaint,
            status="answered",
            sent_on=dt.date(2026, 10, 10),
            answered_on=dt.date(2026, 10, 1),
        )
    assert "answered_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.complaint_track(complaint=complaint, status="sent")
    assert list(refused.value.message_dict) == ["sent_on"]
    complaint.refresh_from_db()
    assert complaint.status == "draft"


def test_the_counts_per_institution_say_complaints_and_answers(association, housing):
    other_body = InstitutionFactory(name="Commune X", kind="commune", postcode="1000")
    first = services.complaint_create(
        association=association,
        entries=[
            once_only_entry(association, responsible_institution=housing).pk,
            once_only_entry(association, responsible_institution=other_body).pk,
        ],
    )
    services.complaint_create(
        association=association,
        entries=[once_only_entry(association, responsible_institution=housing).pk],
    )
    services.complaint_track(
        complaint=first,
        status="answered",
        sent_on=dt.date(2026, 10, 10),
        answered_on=dt.date(2026, 11, 2),
    )
    counts = selectors.complaint_counts_by_institution(association=association)
    assert counts[housing.pk] == {"complaints": 2, "answers": 1}
    assert counts[other_body.pk] == {"complaints": 1, "answers": 1}
    assert selectors.complaint_counts_by_institution(association=AssociationFactory()) == {}
