import datetime as dt

import pytest

from cases.services import incident_sheet_create
from complaints.services import complaint_create
from dossiers.services import dossier_create
from mandates import services as mandate_services

# The two associations of the API suite, with their seats: reused, not copied.
from tests.api.conftest import world  # noqa: F401
from tests.complaints.conftest import once_only_entry
from tests.factories import log_attempt


@pytest.fixture
def scene(world):  # noqa: F811
    """The API suite's world, a contact attempt and a mandate of mine; no write route names a job
    (url_values looks for one)."""
    world.mine.job = None
    world.mine.attempt = log_attempt(world.mine.association)
    # A Once-Only entry to complain about, and a complaint to track.
    world.mine.once_only_entry = once_only_entry(world.mine.association)
    world.mine.complaint = complaint_create(
        association=world.mine.association, entries=[world.mine.once_only_entry.pk]
    )
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
    world.mine.orientation = None
    world.mine.mandate = mandate_services.mandate_create(
        association=world.mine.association,
        person=world.mine.person.pk,
        scopes=["tax"],
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
        form="paper",
    )
    return world
