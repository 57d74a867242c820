"""Before publishing, the analyst sees what the release would publish: the totals of the
published months, how many cells are suppressed and why, the contributing associations and
the earlier releases compared; publishing then confirms exactly that."""

import json
import re

import pytest
from django.test import Client

from evidence.models import Release
from evidence.services import association_stop_sharing, release_publish
from organisations.models import Role
from tests.factories import DEFAULT_PASSWORD
from workload.services import rollups_sweep_dirty

from .conftest import PERIOD, log, member, new_association, new_federation

PREVIEW = "/federation/releases/preview/?from=2026-01&to=2026-02"


def logged_in(email, language="en"):
    client = Client(headers={"accept-language": language})
    assert client.login(email=email, password=DEFAULT_PASSWORD)
    return client


NAMES = ["ASBL Alpha", "ASBL Bravo", "ASBL Charlie", "ASBL Delta"]


@pytest.fixture
def members(federation):
    associations = [new_association(federation) for _ in range(4)]
    for number, association in enumerate(associations):
        association.name = NAMES[number]
        association.save()
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
    suppressed = re.search(r'data-table="all"[^>]*>.*?data-earlier-release="(\d+)"', html).group(1)
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


def summary_row(html: str, table: str) -> list[int]:
    """The numbers of one table's line in "Cells suppressed, and why"."""
    row = re.search(rf'<tr data-table="{table}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    return [int(n) for n in re.findall(r'<td class="n"[^>]*>(\d+)</td>', row)]


def figures(html: str) -> dict:
    """What the summary says, as the data attributes carry it."""
    names = ("associations", "published-entries", "published-minutes", "suppressed-cells", "period")
    found = {name: re.search(rf'data-{name}="([^"]*)"', html).group(1) for name in names}
    found["tables"] = dict(re.findall(r'<tr data-table="(\w+)" data-suppressed="(\d+)"', html))
    return found


def publish(client, html):
    return client.post(
        "/federation/releases/",
        {"from": "2026-01", "to": "2026-02", "confirm": fingerprint_of(html)},
    )


def test_the_preview_gives_the_period_and_names_the_contributing_associations(analyst, members):
    html = analyst.get(PREVIEW).content.decode()

    assert "Period: 2026-01 to 2026-02" in html
    assert "ASBL Alpha, ASBL Bravo, ASBL Charlie, ASBL Delta" in html
    assert 'data-published-minutes="660"' in html  # 22 entries of 30 minutes
    assert "11:00" in html  # written as hours
    assert not Release.objects.exists()


def test_the_preview_counts_the_suppressed_cells_and_says_why(analyst, members):
    html = analyst.get(PREVIEW).content.decode()

    # February has no entry: its month is suppressed, fewer than k entries
    # [cells, published, fewer than k, fewer than 3 associations, secondary, earlier release]
    assert summary_row(html, "total") == [2, 1, 1, 0, 0, 0]
    # the 4 entries on bank apps are fewer than k = 5; the tax domain is suppressed with
    # them, or it could be had by subtracting it from January's total
    assert summary_row(html, "procedure_domain") == [2, 0, 1, 0, 1, 0]
    assert "To protect another suppressed cell" in html
    assert "secondary suppression" in html
    total = int(re.search(r'data-suppressed-cells="(\d+)"', html).group(1))
    assert total == sum(int(n) for t, n in figures(html)["tables"].items() if t != "all")
    assert total > 2


def test_the_preview_folds_the_eleven_tables_under_the_summary(analyst, members):
    html = analyst.get(PREVIEW).content.decode()

    folds = re.findall(r'<details class="fold" data-fold="(\w+)">', html)
    assert folds == [
        "total",
        "referrer_kind",
        "referred_by",
        "responsible_kind",
        "responsible_institution",
        "procedure_domain",
        "procedure",
        "barrier",
        "channel",
        "mode",
        "outcome",
    ]
    assert "<details open" not in html
    assert html.index('id="summary"') < html.index("<details")
    assert "<script" not in html.split("<main", 1)[-1]


def test_cancelling_the_preview_goes_back_to_the_figures_and_publishes_nothing(analyst, members):
    html = analyst.get(PREVIEW).content.decode()

    back = re.search(r'<a href="([^"]+)" data-cancel>', html).group(1).replace("&amp;", "&")
    assert back == "/federation/?from=2026-01&to=2026-02"
    assert analyst.get(back).status_code == 200
    assert not Release.objects.exists()


def test_the_published_release_opens_with_the_figures_of_its_preview(analyst, members, federation):
    preview = analyst.get(PREVIEW).content.decode()

    response = publish(analyst, preview)
    page = analyst.get(response["Location"]).content.decode()

    assert figures(page) == figures(preview)
    release = Release.objects.get()
    total = json.loads(release.content)["tables"]["total"]
    published = sum(row["requests"] for row in total if not row["suppressed"])
    assert figures(page)["published-entries"] == str(published)
    assert len(re.findall(r'<details class="fold" data-fold="(?!methodology)', page)) == 11
    assert page.index('id="summary"') < page.index('data-fold="total"')
    assert summary_row(page, "procedure_domain") == summary_row(preview, "procedure_domain")


def test_anyone_reads_the_release_summary_without_the_reasons_or_the_names(analyst, members):
    publish(analyst, analyst.get(PREVIEW).content.decode())
    other_analyst = logged_in(member(new_federation(), Role.ANALYST))

    for reader in (Client(headers={"accept-language": "en"}), other_analyst):
        page = reader.get(
            f"/open-data/{members[0].federation_memberships.get().federation.slug}/releases/1/"
        )
        html = page.content.decode()
        assert page.status_code == 200
        assert "Contributing associations: 4" in html
        assert 'data-suppressed-cells="' in html
        assert "ASBL Alpha" not in html
        # how many cells each rule suppressed stays the federation's: it tells which rule
        # hid a month (fewer than k entries, or fewer than 3 associations)
        assert "Fewer than 3 associations</th>" not in html
        assert summary_row(html, "procedure_domain") == [2, 0, 2]


def test_the_same_confirmation_sent_twice_publishes_once(analyst, members, federation):
    preview = analyst.get(PREVIEW).content.decode()

    first = publish(analyst, preview)
    second = publish(analyst, preview)  # a double click, or the form sent again

    assert Release.objects.count() == 1
    assert first["Location"] == second["Location"] == f"/open-data/{federation.slug}/releases/1/"


def test_a_preview_left_open_while_the_release_was_published_publishes_nothing_more(
    federation, members
):
    # Given two analysts who opened the same preview
    first, second = (logged_in(member(federation, Role.ANALYST)) for _ in range(2))
    stale = second.get(PREVIEW).content.decode()
    publish(first, first.get(PREVIEW).content.decode())

    # When the second confirms theirs, then they land on the release already published
    response = publish(second, stale)

    assert response.status_code == 302
    assert response["Location"] == f"/open-data/{federation.slug}/releases/1/"
    assert Release.objects.count() == 1


def test_a_new_preview_after_publishing_offers_the_next_version(analyst, members, federation):
    publish(analyst, analyst.get(PREVIEW).content.decode())

    preview = analyst.get(PREVIEW).content.decode()
    assert "Release 2: 2026-01 to 2026-02, before publishing" in preview

    response = publish(analyst, preview)
    assert response["Location"] == f"/open-data/{federation.slug}/releases/2/"
    assert Release.objects.get(version=1).superseded_by.version == 2


@pytest.mark.parametrize("role", [Role.WORKER, Role.DIRECTOR])
def test_a_worker_or_director_cannot_publish(members, role):
    client = logged_in(member(members[0], role))
    response = client.post("/federation/releases/", {"from": "2026-01", "to": "2026-02"})
    assert response.status_code == 403
    assert not Release.objects.exists()


@pytest.mark.parametrize(
    "language, texts",
    [
        ("fr", ["Résumé", "Cellules masquées, et pourquoi", "Annuler, ne rien publier"]),
        ("nl", ["Samenvatting", "Verborgen cellen, en waarom", "Annuleren, niets publiceren"]),
    ],
)
def test_the_preview_and_its_release_speak_french_and_dutch(analyst, members, language, texts):
    preview = analyst.get(PREVIEW, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for text in texts:
        assert text in preview
    location = publish(analyst, preview)["Location"]
    page = analyst.get(location, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert texts[0] in page and texts[1] in page
