import pytest

from cases.services import incident_sheet_create
from dossiers.services import dossier_create

# The two associations of the API suite, with their seats: reused, not copied.
from tests.api.conftest import world  # noqa: F401
from tests.factories import log_attempt


@pytest.fixture
def scene(world):  # noqa: F811
    """The API suite's world and one contact attempt of mine; no write route names a job
    (url_values looks for one)."""
    world.mine.job = None
    world.mine.attempt = log_attempt(world.mine.association)
    world.mine.named_sheet = incident_sheet_create(
        association=world.mine.association,
        occurred_on=world.mine.incident.occurred_on,
        title="A sheet naming a body",
        narrative="A narrative.",
        responsible_institution=world.cpas,
    )
    world.mine.dossier = dossier_create(
        association=world.mine.association,
        institution=world.cpas,
        period_from="2025-01",
        period_to="2025-12",
        sheets=[world.mine.named_sheet],
    )
    return world
