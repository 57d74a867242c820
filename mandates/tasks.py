from celery import shared_task

from . import services


@shared_task(name="mandates.expire_mandates")
def expire_mandates_task() -> int:
    """Nightly: the mandates whose term is over are recorded as expired (idempotent)."""
    return services.mandates_expire()
