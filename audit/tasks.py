from celery import shared_task

from reliability.services import guard_redeliveries

from . import retention


@shared_task(name="audit.erase_expired_persons", acks_late=True)
@guard_redeliveries
def erase_expired_persons_task() -> int:
    return retention.persons_erase_expired()
