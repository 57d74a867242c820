"""Beat jobs of orientations: remind the receiving service after three days, close what is
left unanswered after eight. The sweeps only find ids; each id is handled by its own task,
which claims its row with a conditional update, so a task run twice (a redelivery, two beats)
reminds or expires once."""

from celery import shared_task

from reliability.services import guard_redeliveries

from . import services


@shared_task(name="orientations.remind", acks_late=True)
@guard_redeliveries
def remind_task(pk: int) -> bool:
    return services.orientation_remind(pk=pk)


@shared_task(name="orientations.expire", acks_late=True)
@guard_redeliveries
def expire_task(pk: int) -> bool:
    return services.orientation_expire(pk=pk)


@shared_task(name="orientations.send_reminders")
def send_reminders_task() -> int:
    due = services.orientations_due_for_reminder()
    for pk in due:
        remind_task.delay(pk)
    return len(due)


@shared_task(name="orientations.expire_unanswered")
def expire_unanswered_task() -> int:
    due = services.orientations_due_for_expiry()
    for pk in due:
        expire_task.delay(pk)
    return len(due)
