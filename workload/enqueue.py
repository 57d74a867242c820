"""Publishing tasks without ever letting the broker decide whether a write succeeds.

The dirty-month mark is already committed with the entry; a task that cannot be published
is only a delay, caught up by the periodic sweep. Publishing is bounded to about a second by
the broker settings (config/settings/base.py).
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def publish(task, *args, **kwargs) -> bool:
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:  # any broker failure: the outbox and the sweep make up for it
        logger.warning(
            "could not publish %s%r; the sweep will catch up", task.name, args, exc_info=True
        )
        return False
    return True


def publish_on_commit(task, *args, **kwargs) -> None:
    transaction.on_commit(lambda: publish(task, *args, **kwargs))
