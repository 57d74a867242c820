"""/open-data/ lists what the federations published, for anyone, without an account."""

from django.test import Client

from evidence.services import release_publish
from workload.services import rollups_sweep_dirty

from .conftest import PERIOD, log, new_association, new_federation


def published_federation(name):
    federation = new_federation(k=3)
    federation.name = name
    federation.save()
    for _ in range(3):
        log(new_association(federation), times=3)
    rollups_sweep_dirty()
    return federation


def test_the_index_lists_each_federations_current_releases_with_their_files():
    federation = published_federation("Fédération bruxelloise")
    first = release_publish(federation, PERIOD)
    second = release_publish(federation, PERIOD)  # the same period again: supersedes the first
    unpublished = new_federation()

    response = Client().get("/open-data/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Fédération bruxelloise" in html
    slug = federation.slug
    assert f'href="/open-data/{slug}/releases/{second.version}/"' in html
    assert f'href="/open-data/{slug}/releases/{second.version}/release.json"' in html
    assert f'href="/open-data/{slug}/releases/{second.version}/release.csv"' in html
    assert f'href="/open-data/{slug}/releases/{first.version}/"' not in html
    assert f'href="/open-data/{slug}/releases/"' in html
    assert unpublished.slug not in html
    for link in (f"/open-data/{slug}/releases/", f"/open-data/{slug}/releases/{second.version}/"):
        assert Client().get(link).status_code == 200


def test_the_index_says_when_nothing_is_published_in_the_visitors_language():
    french = Client().get("/open-data/")
    dutch = Client().get("/open-data/", HTTP_ACCEPT_LANGUAGE="nl")

    assert french.status_code == dutch.status_code == 200
    assert "Rien n'est encore publié." in french.content.decode()
    assert "Er is nog niets gepubliceerd." in dutch.content.decode()
