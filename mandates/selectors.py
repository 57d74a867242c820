"""Reads of an association's mandates; every one starts from `for_association`."""

import datetime as dt

from django.db.models import F, Prefetch, Q, QuerySet

from .models import Mandate, MandateScope

EXPIRING_DAYS = 30  # the worker sees the mandates whose term ends within a month


def mandate_list_for_association(*, association) -> QuerySet[Mandate]:
    return (
        Mandate.objects.for_association(association)
        .select_related("person")
        .prefetch_related(Prefetch("scopes", queryset=MandateScope.objects.order_by("code")))
        .order_by("-starts_on", "-id")
    )


def mandate_get_for_association(*, association, pk) -> Mandate | None:
    return mandate_list_for_association(association=association).filter(pk=pk).first()


def mandate_list_for_person(*, association, person) -> list[Mandate]:
    return list(mandate_list_for_association(association=association).filter(person=person))


def mandate_covering(mandates, root: str, day: dt.date) -> Mandate | None:
    """The mandate, among `mandates`, in force on `day` that covers the top-level domain
    `root` (the one that started last, when several do)."""
    covering = [m for m in mandates if m.covers(root, day)]
    return max(covering, key=lambda m: (m.starts_on, m.pk), default=None)


def mandate_in_force_for(*, association, person, root: str, day: dt.date) -> Mandate | None:
    return mandate_covering(
        mandate_list_for_person(association=association, person=person), root, day
    )


def entries_mandates_assign(association_id: int, entries: list, actor=None) -> list:
    """Set on each do_for entry of a person the mandate it is done under (the log's hook,
    `cases.services.ENTRY_MANDATE_RESOLVERS`); one query for all the entries given."""
    concerned = [e for e in entries if e.mode == "do_for" and e.person_id is not None]
    if not concerned:
        return []
    mandates = {}
    for mandate in Mandate.objects.filter(
        association_id=association_id, person_id__in={e.person_id for e in concerned}
    ).prefetch_related("scopes"):
        mandates.setdefault(mandate.person_id, []).append(mandate)
    for entry in concerned:
        entry.mandate = mandate_covering(
            mandates.get(entry.person_id, []), entry.procedure_root, entry.occurred_on
        )
    return concerned


def mandate_list_expiring(*, association, today: dt.date, days: int = EXPIRING_DAYS):
    """The mandates in force today whose term ends within `days` days, soonest first."""
    return (
        mandate_list_for_association(association=association)
        .filter(starts_on__lte=today, ends_on__gte=today, ends_on__lte=today + dt.timedelta(days))
        .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=today))
        .order_by("ends_on", "id")
    )


def mandates_to_expire(*, today: dt.date) -> QuerySet[Mandate]:
    """Every association's mandates whose term is over and whose expiry is not recorded yet
    (a mandate revoked before its term ended does not expire: it was revoked)."""
    return Mandate.objects.filter(ends_on__lt=today, expired_at__isnull=True).filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=F("ends_on"))
    )
