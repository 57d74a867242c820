"""The persons' pages: a member finds a person by code, reads their record, hands them their
data (JSON as the API gives it, or a PDF they can read) and erases them on request. Every
listing, reading and export lands in the audit trail; another association's person is a 404
on every route."""

import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape
from knox.models import AuthToken
from rest_framework.test import APIClient

from audit.models import Action, AuditEvent
from cases import exports
from cases.models import AssistanceRequest, Person
from cases.services import incident_sheet_create, person_create
from organisations.models import Role
from referrals.models import Institution
from taxonomy import get_taxonomy
from tests.factories import AssociationFactory, FederationFactory, MembershipFactory, log_entry

needs_pdf = pytest.mark.skipif(
    not exports.pdf_available(), reason="WeasyPrint's system packages are not installed"
)


def browser(organisation, role, language="fr"):
    user = MembershipFactory(organisation=organisation, role=role).user
    client = Client(HTTP_ACCEPT_LANGUAGE=language, REMOTE_ADDR="203.0.113.7")
    client.force_login(user)
    client.user = user
    return client


def api_client(user):
    _, token = AuthToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def label(section, code, language="fr"):
    return get_taxonomy().label(section, code, language)


def person_url(person, suffix=""):
    return f"/persons/{person.pk}/{suffix}"


@pytest.fixture
def scene():
    """Two associations; mine holds Mme K-042 with two entries and an incident sheet about
    one of them, and a second person, K-100, with none."""
    mine = AssociationFactory(slug="asbl-mine", name="Maison de quartier Marolles")
    other = AssociationFactory(slug="asbl-other", name="ASBL Autre")
    cpas = Institution.objects.filter(kind="cpas").order_by("pk").first()
    person = person_create(
        association=mine, code="K-042", birth_year=1958, postcode="1000", language="nl"
    )
    first = log_entry(
        mine,
        person=person,
        occurred_on=dt.date(2025, 3, 14),
        duration_minutes=25,
        barriers=["itsme"],
        referred_by=cpas,
        notes="asked to come back with the letter",
    )
    second = log_entry(
        mine,
        person=person,
        occurred_on=dt.date(2025, 4, 2),
        duration_minutes=40,
        outcome="pending_inst",
    )
    sheet = incident_sheet_create(
        association=mine,
        occurred_on=dt.date(2025, 3, 15),
        title="itsme refused abroad",
        narrative="The app refused a foreign phone.",
        entries=[first],
    )
    quiet = person_create(association=mine, code="K-100")
    foreign = person_create(association=other, code="X-777")
    log_entry(other, person=foreign)
    return {
        "mine": mine,
        "other": other,
        "person": person,
        "quiet": quiet,
        "foreign": foreign,
        "entries": (first, second),
        "sheet": sheet,
        "cpas": cpas,
    }


@pytest.fixture
def worker(scene):
    return browser(scene["mine"], Role.WORKER)


@pytest.fixture
def director(scene):
    return browser(scene["mine"], Role.DIRECTOR)


def person_events(action, **filters):
    return list(
        AuditEvent.objects.filter(action=action, object_type="person", **filters).order_by("pk")
    )


# --- the list and the search ---------------------------------------------------------------


def test_the_persons_page_lists_the_associations_persons_with_their_activity(scene, worker):
    response = worker.get("/persons/")

    assert response.status_code == 200
    rows = response.context["persons"]
    assert [row["person"].code for row in rows] == ["K-042", "K-100"]
    busy, quiet = (row["person"] for row in rows)
    assert (busy.birth_year, busy.postcode, busy.entry_count) == (1958, "1000", 2)
    assert busy.last_entry_on == dt.date(2025, 4, 2)
    assert (quiet.entry_count, quiet.last_entry_on) == (0, None)
    page = response.content.decode()
    assert "Nederlands" in page  # the language by its name, not its code
    assert f'href="/persons/{scene["person"].pk}/"' in page
    assert "X-777" not in page


def test_searching_by_code_keeps_only_the_codes_containing_the_text(scene, worker):
    response = worker.post("/persons/", {"q": "042"})

    assert [row["person"].code for row in response.context["persons"]] == ["K-042"]


def test_a_search_matching_nothing_says_so(scene, worker):
    response = worker.post("/persons/", {"q": "X-777"})

    assert response.context["persons"] == []
    assert "Aucune personne" in response.content.decode()


def test_the_persons_page_costs_the_same_queries_for_two_persons_or_thirty(scene, worker):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert worker.get("/persons/").status_code == 200
        return len(captured)

    few = queries()
    for number in range(28):
        person = person_create(association=scene["mine"], code=f"M-{number}")
        log_entry(scene["mine"], person=person)

    assert queries() == few


def test_every_listing_is_recorded_in_the_trail_without_the_search_terms(scene, worker):
    worker.post("/persons/", {"q": "K-042"})

    (event,) = person_events(Action.SEARCH)
    assert event.association_id == scene["mine"].pk
    assert event.actor == worker.user and event.actor_email == worker.user.email
    assert event.ip == "203.0.113.7"
    assert event.detail == {"route": "cases:person_list"}
    assert "K-042" not in json.dumps(event.detail)


def test_the_header_links_to_the_persons_page(scene, worker):
    page = worker.get("/").content.decode()

    assert 'href="/persons/"' in page


def test_the_days_entries_and_the_entry_edit_page_link_to_the_person(scene, worker):
    from tests.factories import entry_fields

    person = scene["person"]
    worker.post("/", {**entry_fields(occurred_on=timezone.localdate()), "person_code": "K-042"})
    entry = AssistanceRequest.objects.filter(person=person).order_by("-pk").first()

    today = worker.get("/").content.decode()
    edit = worker.get(f"/entries/{entry.pk}/edit/").content.decode()

    assert f'href="/persons/{person.pk}/"' in today
    assert f'href="/persons/{person.pk}/"' in edit


# --- the record ----------------------------------------------------------------------------


def test_the_record_shows_the_person_their_entries_and_the_linked_incident_sheet(scene, worker):
    response = worker.get(person_url(scene["person"]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "K-042" in page and "1958" in page and "Nederlands" in page
    record = response.context["record"]
    assert [e["occurred_on"] for e in record["entries"]] == [
        dt.date(2025, 4, 2),
        dt.date(2025, 3, 14),
    ]
    march = record["entries"][1]
    assert march["procedure"] == label("procedure_domains", "tax.pit_return")
    assert march["referrer"] == scene["cpas"].name
    assert march["barriers"] == [label("digital_barriers", "itsme")]
    assert escape(label("procedure_domains", "tax.pit_return")) in page
    assert "tax.pit_return" not in page
    assert "asked to come back with the letter" in page
    assert "itsme refused abroad" in page
    for entry in scene["entries"]:
        assert f'href="/entries/{entry.pk}/edit/"' in page


def test_every_reading_of_a_record_is_recorded_with_who_and_from_where(scene, worker):
    worker.get(person_url(scene["person"]))
    worker.get(person_url(scene["person"]))

    events = person_events(Action.READ, person_id=scene["person"].pk)
    assert len(events) == 2
    assert {(e.actor_id, e.ip, e.association_id) for e in events} == {
        (worker.user.pk, "203.0.113.7", scene["mine"].pk)
    }


def test_the_record_speaks_dutch_and_english_too(scene):
    dutch = browser(scene["mine"], Role.WORKER, language="nl")
    english = browser(scene["mine"], Role.WORKER, language="en")

    assert "Geboortejaar" in dutch.get(person_url(scene["person"])).content.decode()
    assert "Birth year" in english.get(person_url(scene["person"])).content.decode()


# --- exports -------------------------------------------------------------------------------


def test_the_json_download_is_exactly_what_the_api_export_gives(scene, worker):
    person = scene["person"]

    download = worker.get(person_url(person, "export.json"))
    api = api_client(worker.user).get(f"/api/v1/persons/{person.pk}/export/")

    assert download.status_code == 200 and api.status_code == 200
    assert download["Content-Type"].startswith("application/json")
    assert f'filename="person-{person.pk}.json"' in download["Content-Disposition"]
    assert json.loads(download.content) == api.json()


def test_the_json_download_is_recorded_as_an_export_in_json(scene, worker):
    worker.get(person_url(scene["person"], "export.json"))

    (event,) = person_events(Action.EXPORT, person_id=scene["person"].pk)
    assert event.detail == {"format": "json"}
    assert event.actor == worker.user and event.ip == "203.0.113.7"


@needs_pdf
def test_the_pdf_is_a_pdf_the_person_can_read_in_the_users_language(scene, worker):
    person = scene["person"]

    response = worker.get(person_url(person, "export.pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Vos données détenues par l'association" in text
    assert "K-042" in text
    assert "Maison de quartier Marolles" in text
    assert "Année de naissance" in text and "1958" in text
    # Labels, not codes; words can wrap inside a table cell, so compare without spaces.
    flat = "".join(text.split())
    assert "".join(label("procedure_domains", "tax.pit_return").split()) in flat
    assert "tax.pit_return" not in text
    assert "itsme refused abroad" in text
    (event,) = person_events(Action.EXPORT, person_id=person.pk)
    assert event.detail == {"format": "pdf"}


@needs_pdf
def test_the_pdf_follows_the_language_of_the_page(scene):
    dutch = browser(scene["mine"], Role.WORKER, language="nl")
    english = browser(scene["mine"], Role.WORKER, language="en")

    dutch_text = pdf_text(dutch.get(person_url(scene["person"], "export.pdf")).content)
    english_text = pdf_text(english.get(person_url(scene["person"], "export.pdf")).content)

    assert "Geboortejaar" in dutch_text
    assert "Birth year" in english_text and "Your data held by the association" in english_text


def test_without_weasyprint_the_pdf_is_a_clear_message_and_no_export_is_recorded(
    scene, worker, monkeypatch
):
    monkeypatch.setattr(exports, "pdf_available", lambda: False)

    response = worker.get(person_url(scene["person"], "export.pdf"))

    assert response.status_code == 503
    assert "make pdf-deps" in response.content.decode()
    assert person_events(Action.EXPORT) == []


# --- erasure -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.WORKER, Role.DIRECTOR])
def test_a_member_erases_a_person_after_confirming_and_the_entries_stay_anonymised(scene, role):
    # The API lets workers and directors DELETE a person: the page does the same.
    member = browser(scene["mine"], role)
    person = scene["person"]
    url = person_url(person, "erase/")

    asked = member.post(url)
    assert asked.status_code == 200
    assert "Oui, effacer cette personne" in asked.content.decode()
    assert Person.objects.filter(pk=person.pk).exists()

    done = member.post(url, {"confirm": "yes"}, follow=True)

    assert done.redirect_chain[-1][0] == "/persons/"
    assert "La personne est effacée" in done.content.decode()
    assert not Person.objects.filter(pk=person.pk).exists()
    kept = AssistanceRequest.objects.filter(pk__in=[e.pk for e in scene["entries"]])
    assert kept.count() == 2
    assert set(kept.values_list("person", "notes")) == {(None, "")}
    erase = person_events(Action.ERASE, person_id=person.pk)
    assert len(erase) == 1 and erase[0].actor == member.user
    assert not AuditEvent.objects.filter(person_id=person.pk, person_data__isnull=False).exists()


def test_erasure_is_post_only(scene, worker):
    response = worker.get(person_url(scene["person"], "erase/"))

    assert response.status_code == 405
    assert Person.objects.filter(pk=scene["person"].pk).exists()


def test_erasure_without_the_csrf_token_is_refused(scene):
    user = MembershipFactory(organisation=scene["mine"], role=Role.WORKER).user
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)

    response = strict.post(person_url(scene["person"], "erase/"), {"confirm": "yes"})

    assert response.status_code == 403
    assert Person.objects.filter(pk=scene["person"].pk).exists()


def test_an_analyst_or_a_visitor_may_not_list_read_export_or_erase(scene):
    federation = FederationFactory(slug="fed-persons")
    analyst = browser(federation, Role.ANALYST)
    anonymous = Client()
    person = scene["person"]

    for url in ("/persons/", person_url(person), person_url(person, "export.json")):
        assert analyst.get(url).status_code == 403
        assert anonymous.get(url).status_code == 302  # to the login page
    assert analyst.post(person_url(person, "erase/"), {"confirm": "yes"}).status_code == 403
    assert anonymous.post(person_url(person, "erase/"), {"confirm": "yes"}).status_code == 302
    assert Person.objects.filter(pk=person.pk).exists()
    assert person_events(Action.READ) == person_events(Action.EXPORT) == []


# --- another association -------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "export.json", "export.pdf"])
def test_another_associations_person_is_not_found_on_every_page(scene, worker, suffix):
    response = worker.get(person_url(scene["foreign"], suffix))

    assert response.status_code == 404
    assert "X-777" not in response.content.decode()
    assert person_events(Action.READ) == person_events(Action.EXPORT) == []


def test_another_associations_person_cannot_be_erased(scene, director):
    foreign = scene["foreign"]

    for data in ({}, {"confirm": "yes"}):
        response = director.post(person_url(foreign, "erase/"), data)
        assert response.status_code == 404
    assert Person.objects.filter(pk=foreign.pk).exists()


def test_a_search_is_posted_so_the_typed_code_never_reaches_an_url(scene, worker):
    # The attack: reading the access log, where every URL with ?q= is kept.
    page = worker.get("/persons/").content.decode()
    assert 'method="post" action="/persons/"' in page
    assert [
        row["person"].code for row in worker.get("/persons/", {"q": "042"}).context["persons"]
    ] != ["K-042"]  # a search in the URL is not honoured
    response = worker.post("/persons/", {"q": "042"})
    assert "q=042" not in response.content.decode()
    assert worker.get("/lookup/persons/", {"q": "K-0"}).status_code == 405


def test_the_erase_confirmation_and_the_entry_edit_form_are_recorded_as_reads(scene, worker):
    person = scene["person"]
    entry = log_entry(scene["mine"], person=person)
    before = len(person_events(Action.READ))

    confirm = worker.post(f"/persons/{person.pk}/erase/")
    edit = worker.get(f"/entries/{entry.pk}/edit/")

    assert person.code in confirm.content.decode() and person.code in edit.content.decode()
    reads = person_events(Action.READ)
    assert len(reads) == before + 2
    assert {event.object_id for event in reads[-2:]} == {str(person.pk)}


# --- one screen: the summary, "new entry for this person", the related records --------------


def test_the_page_starts_with_the_summary_and_a_new_entry_button(scene, worker):
    person = scene["person"]

    page = worker.get(person_url(person)).content.decode()

    summary = page.index("Dernière demande")
    assert summary < page.index('id="record-entries"')
    assert page.index("Nouvelle saisie pour cette personne") < summary
    assert f'href="/?person={person.pk}"' in page
    assert "2 avril 2025" in page[summary : page.index('id="record-entries"')]


def test_the_new_entry_link_opens_the_today_form_with_the_person_chosen(scene, worker):
    person = scene["person"]

    response = worker.get(f"/?person={person.pk}")

    assert response.status_code == 200
    form = response.context["form"]
    assert form["person_code"].value() == "K-042"
    assert form["person_language"].value() == "nl"
    page = response.content.decode()
    assert 'name="person_code" value="K-042"' in page
    assert "Pour la personne K-042" in page
    # Showing the code is a read of the record, like the edit form's.
    assert person_events(Action.READ, person_id=person.pk)


def test_the_entry_saved_from_that_form_is_the_persons(scene, worker):
    from tests.factories import entry_form_data

    person = scene["person"]
    form = worker.get(f"/?person={person.pk}").context["form"]
    data = entry_form_data(
        person_code=form["person_code"].value(), person_language=form["person_language"].value()
    )

    worker.post("/", data)

    assert AssistanceRequest.objects.filter(person=person).count() == 3
    assert Person.objects.filter(association=scene["mine"]).count() == 2  # no new person


@pytest.mark.parametrize("value", ["", "-1", "K-042", "99999999999999999999", "a\x00b"])
def test_a_person_that_is_not_one_of_the_associations_is_not_found_on_the_today_form(
    scene, worker, value
):
    for query in ({"person": scene["foreign"].pk}, {"person": value}):
        response = worker.get("/", query)
        assert response.status_code == 404
        assert "X-777" not in response.content.decode()
    assert person_events(Action.READ) == []


def test_the_orientations_section_is_shown_only_when_the_person_has_referrals(scene, worker):
    from referrals.models import Referral

    person, (first, _second) = scene["person"], scene["entries"]
    without = worker.get(person_url(person))
    assert without.context["sections"] == []
    assert 'id="related-orientations"' not in without.content.decode()

    Referral.objects.create(
        association=scene["mine"],
        assistance_request=first,
        destination="epn",
        institution=scene["cpas"],
        status="accepted",
        referred_on=dt.date(2025, 3, 14),
    )
    page = worker.get(person_url(person)).content.decode()

    assert 'id="related-orientations"' in page
    assert "Orientations" in page
    assert escape(scene["cpas"].name) in page and "14 mars 2025" in page
    # K-100 has no entry, so no orientation either.
    quiet = worker.get(person_url(scene["quiet"])).content.decode()
    assert 'id="related-orientations"' not in quiet


def test_another_associations_referrals_never_show_on_the_page(scene, worker):
    from referrals.models import Referral

    foreign_entry = AssistanceRequest.objects.get(association=scene["other"])
    Referral.objects.create(
        association=scene["other"],
        assistance_request=foreign_entry,
        destination="other_service",
        referred_on=dt.date(2025, 3, 1),
    )

    response = worker.get(person_url(scene["person"]))

    assert response.context["sections"] == []


def test_the_related_records_selector_keeps_only_kinds_with_records(scene):
    from cases import selectors
    from referrals.models import Referral

    person, mine = scene["person"], scene["mine"]
    assert selectors.person_related_for_association(association=mine, person=person) == {}
    referral = Referral.objects.create(
        association=mine,
        assistance_request=scene["entries"][1],
        destination="epn",
        referred_on=dt.date(2025, 4, 2),
    )

    related = selectors.person_related_for_association(association=mine, person=person)

    assert related == {"orientations": [referral]}
    other = scene["other"]
    assert selectors.person_related_for_association(association=other, person=person) == {}


def test_the_entries_come_ten_at_a_time_newest_first(scene, worker):
    person = scene["person"]
    for day in range(1, 12):
        log_entry(scene["mine"], person=person, occurred_on=dt.date(2025, 5, day))

    first = worker.get(person_url(person))
    second = worker.get(person_url(person), {"page": "2"})

    assert [e["occurred_on"] for e in first.context["entries_page"]][:2] == [
        dt.date(2025, 5, 11),
        dt.date(2025, 5, 10),
    ]
    assert len(first.context["entries_page"]) == 10
    assert [e["occurred_on"] for e in second.context["entries_page"]] == [
        dt.date(2025, 5, 1),
        dt.date(2025, 4, 2),
        dt.date(2025, 3, 14),
    ]
    assert "Page 1 sur 2" in first.content.decode()
    assert 'href="?page=2#record-entries"' in first.content.decode()
    assert worker.get(person_url(person), {"page": "x'<b>"}).status_code == 200
