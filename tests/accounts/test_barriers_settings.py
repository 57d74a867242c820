"""The director chooses which digital barriers the entry form shows as chips; the chips keep
the taxonomy's order for every worker, whatever was ticked before and in which order."""

import re

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from organisations.models import DEFAULT_SHOWN_BARRIERS, Role
from organisations.services import association_set_shown_barriers
from taxonomy import get_taxonomy
from tests.factories import AssociationFactory, MembershipFactory, log_entry

URL = "/account/settings/barriers/"
TAXONOMY_ORDER = get_taxonomy().codes("digital_barriers")


@pytest.fixture
def association():
    return AssociationFactory(slug="asbl-obstacles")


@pytest.fixture
def director_client(client, association):
    client.force_login(MembershipFactory(organisation=association, role=Role.DIRECTOR).user)
    return client


def chips_shown(page):
    """The barrier chips of the new-entry form before its "other barriers" fold, in order."""
    before_fold = page.split('class="more-chips"')[0]
    return re.findall(r'name="barriers" value="([^"]+)"', before_fold)


def test_a_new_association_shows_itsme_the_card_reader_and_the_saturated_phone_lines():
    association = AssociationFactory()
    assert {"itsme", "card_reader", "phone_saturated"} <= set(association.shown_barriers)
    assert list(association.shown_barriers) == list(DEFAULT_SHOWN_BARRIERS)


def test_the_chosen_barriers_are_kept_in_the_taxonomys_order(association):
    association_set_shown_barriers(association=association, codes=["cost", "itsme", "no_device"])
    association.refresh_from_db()
    assert association.shown_barriers == ["no_device", "itsme", "cost"]
    assert [c for c in TAXONOMY_ORDER if c in association.shown_barriers] == (
        association.shown_barriers
    )


@pytest.mark.parametrize("codes", [["itsme", "teleportation"], "itsme", None, [3]])
def test_unknown_codes_are_refused_by_name_and_nothing_changes(association, codes):
    with pytest.raises(ValidationError) as refused:
        association_set_shown_barriers(association=association, codes=codes)
    assert list(refused.value.message_dict) == ["shown_barriers"]
    association.refresh_from_db()
    assert association.shown_barriers == list(DEFAULT_SHOWN_BARRIERS)


def test_a_change_is_recorded_in_the_audit_trail_and_a_no_change_is_not(association):
    association_set_shown_barriers(association=association, codes=list(DEFAULT_SHOWN_BARRIERS))
    assert not AuditEvent.objects.filter(association_id=association.pk).exists()
    association_set_shown_barriers(association=association, codes=["itsme"])
    event = AuditEvent.objects.get(association_id=association.pk)
    assert event.detail == {"fields": ["shown_barriers"]}


def test_the_director_chooses_the_barriers_on_the_settings_page(director_client, association):
    page = director_client.get(URL).content.decode()
    # Every barrier of the taxonomy is offered, in its order, the shown ones ticked.
    assert re.findall(r'name="shown_barriers" value="([^"]+)"', page) == list(TAXONOMY_ORDER)
    assert re.findall(r'name="shown_barriers" value="([^"]+)" checked', page) == [
        c for c in TAXONOMY_ORDER if c in DEFAULT_SHOWN_BARRIERS
    ]
    response = director_client.post(URL, {"shown_barriers": ["phone_saturated", "cost"]})
    assert response.status_code == 200
    assert "Paramètres enregistrés." in response.content.decode()
    association.refresh_from_db()
    assert association.shown_barriers == ["phone_saturated", "cost"]


def test_an_unknown_barrier_posted_is_refused_next_to_the_list(director_client, association):
    response = director_client.post(URL, {"shown_barriers": ["itsme", "<b>x</b>"]})
    assert response.status_code == 400
    assert 'id="shown_barriers-error"' in response.content.decode()
    association.refresh_from_db()
    assert association.shown_barriers == list(DEFAULT_SHOWN_BARRIERS)


def test_a_worker_cannot_choose_the_barriers(client, association):
    client.force_login(MembershipFactory(organisation=association, role=Role.WORKER).user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"shown_barriers": ["cost"]}).status_code == 403
    association.refresh_from_db()
    assert association.shown_barriers == list(DEFAULT_SHOWN_BARRIERS)


def test_a_director_changes_only_their_own_associations_barriers(director_client, association):
    other = AssociationFactory(slug="asbl-voisine")
    director_client.post(URL, {"shown_barriers": ["cost"]})
    other.refresh_from_db()
    assert other.shown_barriers == list(DEFAULT_SHOWN_BARRIERS)


def test_the_workers_chips_follow_the_directors_choice_not_what_was_logged(client, association):
    worker = MembershipFactory(organisation=association, role=Role.WORKER).user
    client.force_login(worker)
    before = chips_shown(client.get("/").content.decode())
    assert before == [c for c in TAXONOMY_ORDER if c in DEFAULT_SHOWN_BARRIERS]
    # Logging often a barrier under the fold, and the last chip, moves nothing.
    for barriers in (["cost"], ["cost"], ["low_digital_skills"], ["other", "cost"]):
        log_entry(association, actor=worker, barriers=barriers)
    assert chips_shown(client.get("/").content.decode()) == before

    association_set_shown_barriers(association=association, codes=["cost", "itsme"])
    page = client.get("/").content.decode()
    assert chips_shown(page) == ["itsme", "cost"]
    # The others stay under the fold, in the taxonomy's order.
    folded = re.findall(r'name="barriers" value="([^"]+)"', page.split('class="more-chips"')[1])
    assert folded == [c for c in TAXONOMY_ORDER if c not in ("itsme", "cost")]


def test_a_ticked_barrier_under_the_fold_stays_there_with_the_fold_open(client, association):
    worker = MembershipFactory(organisation=association, role=Role.WORKER).user
    client.force_login(worker)
    entry = log_entry(association, actor=worker, barriers=["cost"])
    page = client.get(f"/entries/{entry.pk}/edit/").content.decode()
    assert "cost" not in chips_shown(page)
    assert '<details class="more-chips" open>' in page
    assert 'name="barriers" value="cost" checked' in page


def test_the_incident_sheet_shows_the_same_barriers(client, association):
    client.force_login(MembershipFactory(organisation=association, role=Role.WORKER).user)
    association_set_shown_barriers(association=association, codes=["cost", "itsme"])
    page = client.get("/incidents/new/").content.decode()
    assert chips_shown(page) == ["itsme", "cost"]
