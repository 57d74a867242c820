"""Reads of an association's orientations, and their figures; every one starts from
`for_association`. The public answer page reads through `services.orientation_from_link`."""

import statistics
from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Orientation

Status = Orientation.Status
# The service took the person on: an acceptance, and the outcomes that follow one.
ACCEPTED_STATUSES = (Status.ACCEPTED, Status.DONE, Status.NO_SHOW)
ANSWERED_STATUSES = (*ACCEPTED_STATUSES, Status.REFUSED)
SECONDS_PER_DAY = 86400


def orientation_list_for_association(*, association) -> QuerySet[Orientation]:
    return (
        Orientation.objects.for_association(association)
        .select_related("institution", "assistance_request", "created_by")
        .order_by("-sent_at", "-id")
    )


def orientation_get_for_association(*, association, pk) -> Orientation | None:
    return orientation_list_for_association(association=association).filter(pk=pk).first()


def orientation_list_for_worker(*, association, worker, limit=10) -> list[Orientation]:
    """The worker's latest orientations, with their answers, as the Today page lists them."""
    return list(
        orientation_list_for_association(association=association).filter(created_by=worker)[:limit]
    )


@dataclass
class Figures:
    month: str | None
    target: str | None  # "institution:<id>" or "contact:<name>"; None for the month's total
    target_name: str
    sent: int = 0
    accepted: int = 0
    refused: int = 0
    done: int = 0
    no_show: int = 0
    expired: int = 0
    awaiting: int = 0
    answered: int = 0
    median_days_to_answer: float | None = None

    def as_dict(self) -> dict:
        return {
            "month": self.month,
            "target": self.target,
            "target_name": self.target_name,
            "sent": self.sent,
            "accepted": self.accepted,
            "refused": self.refused,
            "done": self.done,
            "no_show": self.no_show,
            "expired": self.expired,
            "awaiting": self.awaiting,
            "median_days_to_answer": self.median_days_to_answer,
        }


def _target(orientation, language) -> tuple[str, str]:
    if orientation.institution_id is not None:
        return f"institution:{orientation.institution_id}", orientation.target_name(language)
    name = orientation.recipient_name.strip()
    return f"contact:{name.casefold()}", name


def _median_days(delays: list[float]) -> float | None:
    return round(statistics.median(delays), 1) if delays else None


def orientation_figures_for_association(
    *, association, start: str, end: str, by_target=True, language="fr"
) -> list[dict]:
    """Per month of sending (and per target), the orientations sent, accepted, refused,
    done, and the median days to the first answer. The median is taken over the
    orientations themselves: medians of months or of targets do not combine."""
    rows = (
        Orientation.objects.for_association(association)
        .filter(month__gte=start, month__lte=end)
        .select_related("institution")
        .order_by("month", "id")
    )
    groups: dict[tuple, Figures] = {}
    delays: dict[tuple, list[float]] = {}
    for orientation in rows:
        keys = [(orientation.month, None, "")]
        if by_target:
            keys.append((orientation.month, *_target(orientation, language)))
        for month, target, name in keys:
            figures = groups.setdefault((month, target), Figures(month, target, name))
            figures.sent += 1
            status = orientation.status
            figures.accepted += status in ACCEPTED_STATUSES
            figures.refused += status == Status.REFUSED
            figures.done += status == Status.DONE
            figures.no_show += status == Status.NO_SHOW
            figures.expired += status == Status.EXPIRED
            figures.awaiting += status == Status.SENT
            if orientation.answered_at is not None:
                waited = (orientation.answered_at - orientation.sent_at).total_seconds()
                delays.setdefault((month, target), []).append(waited / SECONDS_PER_DAY)
    for key, figures in groups.items():
        figures.median_days_to_answer = _median_days(delays.get(key, []))
    ordered = sorted(
        groups.values(),
        key=lambda f: (f.month, f.target is not None, -f.sent, f.target_name.casefold()),
    )
    return [f.as_dict() for f in ordered]


def orientation_totals_for_association(*, association, start: str, end: str) -> dict:
    """The period's figures in one row, its median over every orientation of the period."""
    rows = Orientation.objects.for_association(association).filter(month__gte=start, month__lte=end)
    totals = Figures(None, None, "")
    delays = []
    for status, sent_at, answered_at in rows.values_list("status", "sent_at", "answered_at"):
        totals.sent += 1
        totals.accepted += status in ACCEPTED_STATUSES
        totals.refused += status == Status.REFUSED
        totals.done += status == Status.DONE
        totals.no_show += status == Status.NO_SHOW
        totals.expired += status == Status.EXPIRED
        totals.awaiting += status == Status.SENT
        if answered_at is not None:
            delays.append((answered_at - sent_at).total_seconds() / SECONDS_PER_DAY)
    totals.median_days_to_answer = _median_days(delays)
    return totals.as_dict()
