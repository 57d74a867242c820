import datetime as dt

import pytest

from mandates import services as mandate_services

# The two associations of the API suite, with their seats: reused, not copied.
from tests.api.conftest import world  # noqa: F401
from tests.factories import log_attempt


@pytest.fixture
def scene(world):  # noqa: F811
    """The API suite's world, a contact attempt and a mandate of mine; no write route names a job
    (url_values looks for one)."""
    world.mine.job = None
    world.mine.attempt = log_attempt(world.mine.association)
    world.mine.mandate = mandate_services.mandate_create(
        association=world.mine.association,
        person=world.mine.person.pk,
        scopes=["tax"],
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
        form="paper",
    )
    return world
