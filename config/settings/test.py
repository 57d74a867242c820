"""Test settings: the same as base in development mode, with fast password hashing.

The suite runs with DJANGO_DEBUG=true unless the environment says otherwise, as it did when
base defaulted to it: the embedded secret key, no HTTPS redirect or secure-only cookies for
the test client, static files from the apps. pytest-django still runs each test with
settings.DEBUG off. Subprocesses started by tests inherit the same environment.

DATABASE_URL and CELERY_BROKER_URL still come from the environment, so one suite runs on
SQLite (the fast path) and on PostgreSQL with Redis (CI).
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from csp.constants import UNSAFE_EVAL  # noqa: E402

from .base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405

# Playwright's wait_for_function runs its predicate through eval() inside the page
# (tests/e2e): the tests' policy allows eval and nothing more. The production policy itself
# is what tests/accounts/test_content_security_policy.py checks, and what the browser test
# of the policy (tests/e2e/test_second_factor.py) runs the pages under.
PRODUCTION_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY  # noqa: F405
_directives = PRODUCTION_CONTENT_SECURITY_POLICY["DIRECTIVES"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {**_directives, "script-src": [*_directives["script-src"], UNSAFE_EVAL]}
}

# pytest-django turns DEBUG off for each test, and the tests' in-process Celery worker would
# then refuse the embedded key: the test settings choose that key on purpose.
SECRET_KEY_GIVEN = True
