import pytest

# The two associations of the API suite, with their seats: reused, not copied.
from tests.api.conftest import world  # noqa: F401
from tests.factories import log_attempt


@pytest.fixture
def scene(world):  # noqa: F811
    """The API suite's world and one contact attempt of mine; no write route names a job
    (url_values looks for one)."""
    world.mine.job = None
    world.mine.attempt = log_attempt(world.mine.association)
    world.mine.orientation = None
    return world
