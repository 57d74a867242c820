"""Publishing tasks without ever letting the broker decide whether a write succeeds.

The dirty-month mark is already committed with the entry; a task that cannot be published
is only a delay, caught up by the periodic sweep. Publishing is bounded to about a second by
the broker settings (config/settings/base.py).

A month's recomputation is published at most once while one is waiting in the queue: a
burst of entries in one month then costs one recomputation, not one per entry, and the
queue stays short however fast entries come. The "already queued" flag lives next to the
messages, in the broker's Redis, and is taken only after the writer's commit, so the
recomputation that clears it (before it reads the log) sees every entry that relied on it.
"""

import logging

import redis
from django.db import transaction

logger = logging.getLogger(__name__)

# A flag outlives its message only if that message is lost (a purge, a broker restart); then
# the month waits at most this long for the next entry to queue it again, or for the sweep.
QUEUED_FLAG_SECONDS = 10

_flag_clients: dict[str, redis.Redis] = {}


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


def _flag_client(app) -> redis.Redis | None:
    """The broker's Redis, or None when tasks run in-process or on another broker (then every
    month change is published, and the task's dirty check skips the duplicates)."""
    url = app.conf.broker_url or ""
    if app.conf.task_always_eager or not url.startswith(("redis://", "rediss://")):
        return None
    if url not in _flag_clients:
        _flag_clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=1, retry_on_timeout=False
        )
    return _flag_clients[url]


def _flag_key(association_id: int, month: str) -> str:
    # Named when this lived in the workload app; kept, so flags in flight survive a deploy.
    return f"aide:workload:month-queued:{association_id}:{month}"


def month_queued_claim(app, association_id: int, month: str) -> bool:
    """True when no recomputation of the month is waiting: the caller publishes one."""
    client = _flag_client(app)
    if client is None:
        return True
    try:
        return bool(
            client.set(_flag_key(association_id, month), 1, nx=True, ex=QUEUED_FLAG_SECONDS)
        )
    except redis.RedisError:
        return True  # publishing will fail the same way, and say so


def month_queued_release(app, association_id: int, month: str) -> None:
    """Called by the recomputation before it reads the log: entries saved from now on queue
    a new one."""
    client = _flag_client(app)
    if client is None:
        return
    try:
        client.delete(_flag_key(association_id, month))
    except redis.RedisError:
        pass  # the flag expires by itself


def publish_month_recompute(task, association_id: int, month: str) -> bool:
    if not month_queued_claim(task.app, association_id, month):
        return True
    if publish(task, association_id, month):
        return True
    month_queued_release(task.app, association_id, month)
    return False


def publish_month_recompute_on_commit(task, association_id: int, month: str) -> None:
    transaction.on_commit(lambda: publish_month_recompute(task, association_id, month))
