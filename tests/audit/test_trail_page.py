"""Directors browse their association's trail at /audit/; nobody else sees it."""

import pytest

from audit import context
from cases.services import person_create
from organisations.models import Role
from tests.factories import AssociationFactory, MembershipFactory, log_entry


@pytest.fixture
def director(association):
    return MembershipFactory(organisation=association, role=Role.DIRECTOR).user


def test_a_director_sees_who_did_what_and_from_where(client, association, worker, director):
    token = context.current.set(context.RequestContext(ip="203.0.113.9"))
    try:
        person_create(association=association, actor=worker, code="VISIBLE-1")
    finally:
        context.current.reset(token)
    client.force_login(director)

    page = client.get("/audit/").content.decode()

    assert worker.email in page
    assert "VISIBLE-1" in page
    assert "203.0.113.9" in page


def test_a_director_never_sees_another_associations_trail(client, association, director):
    other = AssociationFactory(slug="autre-asbl")
    other_worker = MembershipFactory(organisation=other).user
    person_create(association=other, actor=other_worker, code="SECRET-9")
    client.force_login(director)

    page = client.get("/audit/").content.decode()

    assert "SECRET-9" not in page
    assert other_worker.email not in page


def test_a_worker_may_not_read_the_trail(client, association, worker):
    log_entry(association, actor=worker)
    client.force_login(worker)

    assert client.get("/audit/").status_code == 403


def test_the_trail_can_be_filtered_by_action(client, association, worker, director):
    log_entry(association, actor=worker)
    person_create(association=association, actor=worker, code="FILTRE-1")
    client.force_login(director)

    page = client.get("/audit/?action=create&object=assistance_request").content.decode()

    assert "FILTRE-1" not in page
    assert page.count("<tr><td>") == 1  # the entry's creation, without who logged it


def test_a_director_sees_the_entries_logged_but_not_who_logged_each(
    client, association, worker, director
):
    # The attack: reading /audit/ to rebuild each worker's workload from entry events.
    token = context.current.set(context.RequestContext(ip="198.51.100.7"))
    try:
        for _ in range(3):
            log_entry(association, actor=worker)
    finally:
        context.current.reset(token)
    client.force_login(director)

    page = client.get("/audit/?object=assistance_request").content.decode()

    assert page.count("<tr><td>") == 3
    assert worker.email not in page
    assert "198.51.100.7" not in page
