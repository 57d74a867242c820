"""Test settings: the same as base, with fast password hashing.

DATABASE_URL and CELERY_BROKER_URL still come from the environment, so one suite runs on
SQLite (the fast path) and on PostgreSQL with Redis (CI).
"""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
