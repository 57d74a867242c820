"""Retention: persons with no entry for their association's `retention_years` are erased.

Run nightly by Celery beat (`cases.tasks.erase_expired_persons_task`). Erasure goes through
`services.person_erase`, like a person's own request: the person row goes, their
entries stay without the link or notes, the figures do not change, and the audit trail
forgets their pseudonym.
"""

import datetime as dt
import logging

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from organisations.models import Association

from .models import AssistanceRequest, Person
from .services import person_erase

logger = logging.getLogger(__name__)


def retention_cutoff(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def persons_expired_for_association(*, association: Association, today: dt.date):
    """Persons with neither an entry nor a record creation since the cutoff."""
    cutoff = retention_cutoff(today, association.retention_years)
    recent_entry = AssistanceRequest.objects.filter(
        association_id=association.pk, person=OuterRef("pk"), occurred_on__gte=cutoff
    )
    return (
        Person.objects.filter(association=association)
        .filter(~Exists(recent_entry))
        .exclude(Q(created_at__date__gte=cutoff))
        .order_by("pk")
    )


def persons_erase_expired(*, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    erased = 0
    for association in Association.objects.order_by("pk"):
        for person in persons_expired_for_association(association=association, today=today):
            person_erase(person=person, actor=None)
            erased += 1
    if erased:
        logger.info("retention: erased %d persons without entries", erased)
    return erased
