"""Before publishing, the analyst sees what the release would publish: the totals of the
published months, how many cells are suppressed and why, the contributing associations and
the earlier releases compared; publishing then confirms exactly that."""

import re

import pytest
from django.test import Client

from evidence.models import Release
from evidence.services import association_stop_sharing, release_publish
from organisations.models import Role
from tests.factories import DEFAULT_PASSWORD
from workload.services import rollups_sweep_dirty

from .conftest import PERIOD, log, member, new_association

PREVIEW = "/federation/releases/preview/?from=2026-01&to=2026-02"


def logged_in(email, language="en"):
    client = Client(headers={"accept-language": language})
    assert client.login(email=email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def members(federation):
    associations = [new_association(federation) for _ in range(4)]
    for number, association in enumerate(associations):
        log(association, times=3 + number)
        log(association, times=1, barriers=["app_only"], procedure_domain="bank.app_auth")
    rollups_sweep_dirty()
    return associations


@pytest.fixture
def analyst(federation):
    return logged_in(member(federation, Role.ANALYST))


def fingerprint_of(html: str) -> str:
    return re.search(r'name="confirm" value="([0-9a-f]{64})"', html).group(1)


def test_the_publish_button_leads_to_the_preview_first(analyst, members):
    html = analyst.get("/federation/?from=2026-01&to=2026-02").content.decode()
    assert 'action="/federation/releases/preview/"' in html
    assert 'method="get" action="/federation/releases/preview/"' in html


def test_the_preview_shows_the_summary_and_publishes_nothing(analyst, members):
    response = analyst.get(PREVIEW)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Contributing associations: 4" in html
    assert 'data-published-entries="22"' in html  # 3+4+5+6 entries and 4 on bank apps
    assert 'data-table="procedure"' in html and 'data-table="all"' in html
    assert "Fewer than 3 associations" in html
    assert fingerprint_of(html)
    assert not Release.objects.exists()


def test_the_preview_counts_the_cells_a_release_comparison_suppresses(analyst, federation, members):
    # Given a release, after which one association stops sharing
    release_publish(federation, PERIOD)
    association_stop_sharing(association=members[-1], federation=federation)

    # When the analyst prepares the period again
    html = analyst.get(PREVIEW).content.decode()

    # Then the preview says the earlier release is compared, and what that suppresses
    assert 'data-compared="true"' in html
    suppressed = re.search(r'data-table="all">.*?data-earlier-release="(\d+)"', html).group(1)
    assert int(suppressed) > 0
    assert "the contributing associations differ" in html


def test_confirming_the_preview_publishes_that_release(analyst, members, federation):
    fingerprint = fingerprint_of(analyst.get(PREVIEW).content.decode())

    response = analyst.post(
        "/federation/releases/", {"from": "2026-01", "to": "2026-02", "confirm": fingerprint}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/open-data/{federation.slug}/releases/1/"


def test_figures_that_changed_since_the_preview_are_shown_again_not_published(
    analyst, members, federation
):
    # Given a preview, after which an association stops sharing
    fingerprint = fingerprint_of(analyst.get(PREVIEW).content.decode())
    association_stop_sharing(association=members[0], federation=federation)

    # When the analyst confirms the old preview
    response = analyst.post(
        "/federation/releases/", {"from": "2026-01", "to": "2026-02", "confirm": fingerprint}
    )

    # Then nothing is published and the new summary is shown
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-changed="true"' in html and "Contributing associations: 3" in html
    assert fingerprint_of(html) != fingerprint
    assert not Release.objects.exists()


def test_a_bad_period_is_named(analyst):
    response = analyst.get("/federation/releases/preview/?from=2026-13&to=x")
    assert response.status_code == 400
    assert "from" in response.content.decode()


@pytest.mark.parametrize("role", [Role.WORKER, Role.DIRECTOR])
def test_a_worker_or_director_gets_403_on_the_preview(members, role):
    assert logged_in(member(members[0], role)).get(PREVIEW).status_code == 403


@pytest.mark.parametrize(
    "language, text", [("fr", "Avant publication"), ("nl", "Vóór de publicatie")]
)
def test_the_preview_speaks_french_and_dutch(analyst, members, language, text):
    html = analyst.get(PREVIEW, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert text in html
