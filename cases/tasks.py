from celery import shared_task

from reliability.services import guard_redeliveries

from . import retention, services


# The name it had when retention lived in the audit app: messages already queued under it
# still find the task.
@shared_task(name="audit.erase_expired_persons", acks_late=True)
@guard_redeliveries
def erase_expired_persons_task() -> int:
    return retention.persons_erase_expired()


@shared_task(name="cases.expire_entry_undos")
def expire_entry_undos_task() -> int:
    """Deleted entries waiting for "Undo" go once their seconds are over (each delete also
    expires them; this catches the last one of the day)."""
    return services.entry_undos_expire()
