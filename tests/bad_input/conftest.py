import pytest

# The two associations of the API suite, with their seats: reused, not copied.
from tests.api.conftest import world  # noqa: F401


@pytest.fixture
def scene(world):  # noqa: F811
    """The API suite's world; no write route names a job (url_values looks for one)."""
    world.mine.job = None
    return world
