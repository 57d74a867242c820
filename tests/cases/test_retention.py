"""Persons with no entry for the association's retention period are erased nightly; their
entries stay, anonymised, and the figures do not move."""

import datetime as dt

from django.utils import timezone

from audit.models import AuditEvent
from cases.models import AssistanceRequest, Person
from cases.retention import persons_erase_expired
from cases.services import person_create
from cases.tasks import erase_expired_persons_task
from tests.factories import AssociationFactory, log_entry

TODAY = dt.date(2026, 11, 1)


def person(association, code, created_years_ago=8):
    made = person_create(association=association, code=code)
    created = timezone.now() - dt.timedelta(days=365 * created_years_ago + 2)
    Person.objects.filter(pk=made.pk).update(created_at=created)
    return made


def test_a_person_without_entries_for_the_retention_period_is_erased(association):
    old = person(association, "ANCIEN-1")
    log_entry(association, person=old, occurred_on=dt.date(2020, 5, 4), notes="rdv")
    recent = person(association, "RECENT-1")
    log_entry(association, person=recent, occurred_on=dt.date(2023, 1, 9))

    assert persons_erase_expired(today=TODAY) == 1

    assert list(Person.objects.values_list("code", flat=True)) == ["RECENT-1"]
    kept_entry = AssistanceRequest.objects.get(occurred_on=dt.date(2020, 5, 4))
    assert (kept_entry.person, kept_entry.notes) == (None, "")
    assert AuditEvent.objects.filter(action="erase", person_id=old.pk, actor=None).exists()
    assert not AuditEvent.objects.filter(person_data__code="ANCIEN-1").exists()


def test_a_newly_recorded_person_without_entries_is_kept(association):
    person(association, "NOUVEAU-1", created_years_ago=0)

    assert persons_erase_expired(today=TODAY) == 0


def test_each_association_keeps_persons_for_its_own_period(association):
    patient = AssociationFactory(slug="asbl-patiente", retention_years=10)
    for target in (association, patient):
        someone = person(target, "PERSONNE-1")
        log_entry(target, person=someone, occurred_on=dt.date(2019, 6, 1))

    persons_erase_expired(today=TODAY)

    assert list(Person.objects.values_list("association__slug", flat=True)) == ["asbl-patiente"]


def test_the_nightly_task_runs_the_retention(association):
    person(association, "TACHE-1", created_years_ago=30)

    assert erase_expired_persons_task.apply().get() == 1
