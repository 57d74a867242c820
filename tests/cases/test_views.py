"""The worker's day in the browser, without JavaScript: log in, log entries, fix mistakes,
undo a delete, print a receipt, all in the worker's language and never across associations."""

import datetime as dt
import json
import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from cases.models import AssistanceRequest, EntryUndo, Person
from cases.services import incident_sheet_create
from organisations.models import Role
from referrals.models import Institution, Referral
from tests.factories import (
    DEFAULT_PASSWORD,
    AssociationFactory,
    FederationFactory,
    MembershipFactory,
    PersonFactory,
    entry_form_data,
    log_entry,
)


@pytest.fixture
def logged_in(client, worker):
    client.login(email=worker.email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def cpas():
    """A body of the registry seeded with the project."""
    return Institution.objects.get(name__startswith="CPAS d'Ixelles")


def today():
    return timezone.localdate()


def field_error(response, field_id):
    """The text of the error shown under a field of the new-entry form."""
    match = re.search(
        rf'<p class="error" id="new-{field_id}-error">(.*?)</p>', response.content.decode()
    )
    return match.group(1) if match else None


# --- logging in and languages --------------------------------------------------------------


def test_the_today_page_asks_an_anonymous_visitor_to_log_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_worker_logs_in_with_email_and_password_and_lands_on_today(client, worker):
    response = client.post(
        "/login/", {"username": worker.email, "password": DEFAULT_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert "Nouvelle saisie" in response.content.decode()


def test_the_interface_is_french_by_default_and_follows_the_browsers_language(logged_in):
    assert 'lang="fr"' in logged_in.get("/").content.decode()
    dutch = logged_in.get("/", HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9").content.decode()
    assert 'lang="nl"' in dutch
    assert "Nieuwe registratie" in dutch


def test_the_language_switch_is_remembered_in_a_cookie_and_on_the_user(logged_in, worker):
    response = logged_in.post("/language/", {"language": "nl", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    worker.refresh_from_db()
    assert worker.preferred_language == "nl"
    assert "Nieuwe registratie" in logged_in.get("/").content.decode()


def test_a_user_who_chose_dutch_gets_dutch_on_a_new_computer(client, worker):
    worker.preferred_language = "nl"
    worker.save()
    response = client.post("/login/", {"username": worker.email, "password": DEFAULT_PASSWORD})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"


def test_an_analyst_cannot_open_the_workers_page(client):
    analyst = MembershipFactory(organisation=FederationFactory(), role=Role.ANALYST).user
    client.login(email=analyst.email, password=DEFAULT_PASSWORD)
    assert client.get("/").status_code == 403


# --- the entry form ---------------------------------------------------------------------------


def test_a_saved_entry_appears_in_the_days_list_with_the_days_total(logged_in, worker):
    logged_in.post("/", entry_form_data(duration_minutes="15"))
    response = logged_in.post("/", entry_form_data(duration_minutes="50"), follow=True)

    entries = AssistanceRequest.objects.filter(created_by=worker)
    assert sorted(e.duration_minutes for e in entries) == [15, 50]
    page = response.content.decode()
    assert page.count('class="entry"') == 2
    assert "1:05" in page  # hours as everywhere else


def checked(page, name):
    """The codes of a group of the new-entry form that are ticked."""
    return re.findall(rf'name="{name}" value="([^"]+)" checked', page)


CARRIED_MARK = "repris de la saisie précédente"


def test_the_next_form_never_takes_the_mode_outcome_or_consent_of_earlier_entries(
    logged_in, association, worker
):
    for _ in range(3):
        log_entry(
            association,
            actor=worker,
            occurred_on=today(),
            mode="do_for",
            outcome="partial",
            consent="oral",
            sensitive_flags=["pin"],
        )
    page = logged_in.get("/").content.decode()
    assert checked(page, "mode") == []
    assert checked(page, "outcome") == []
    # No sensitive data until a flag is ticked: consent starts at "not applicable".
    assert checked(page, "consent") == ["not_applicable"]
    assert checked(page, "sensitive_flags") == []


def test_the_date_and_channel_are_carried_over_from_the_last_entry_and_marked(
    logged_in, association, worker
):
    yesterday = today() - dt.timedelta(days=1)
    log_entry(association, actor=worker, occurred_on=today(), channel="on_site")
    # The worker catches up on yesterday, by phone.
    log_entry(association, actor=worker, occurred_on=yesterday, channel="phone")
    page = logged_in.get("/").content.decode()
    assert f'name="occurred_on" value="{yesterday.isoformat()}"' in page
    assert checked(page, "channel") == ["phone"]
    assert page.count(CARRIED_MARK) == 2


def test_a_new_day_starts_on_its_own_date_and_only_the_channel_is_carried_over(
    logged_in, association, worker
):
    yesterday = today() - dt.timedelta(days=1)
    entry = log_entry(association, actor=worker, occurred_on=yesterday, channel="phone")
    AssistanceRequest.objects.filter(pk=entry.pk).update(
        created_at=timezone.now() - dt.timedelta(days=1)
    )
    page = logged_in.get("/").content.decode()
    assert f'name="occurred_on" value="{today().isoformat()}"' in page
    assert checked(page, "channel") == ["phone"]
    assert page.count(CARRIED_MARK) == 1


def test_a_first_entry_carries_nothing_over_and_marks_nothing(logged_in):
    page = logged_in.get("/").content.decode()
    assert f'name="occurred_on" value="{today().isoformat()}"' in page
    assert checked(page, "channel") == []
    assert CARRIED_MARK not in page


def test_a_changed_carried_value_is_no_longer_marked_on_a_refused_form(
    logged_in, association, worker
):
    log_entry(association, actor=worker, occurred_on=today(), channel="phone")
    response = logged_in.post("/", entry_form_data(channel="phone", outcome=""))
    assert response.content.decode().count(CARRIED_MARK) == 1
    response = logged_in.post("/", entry_form_data(channel="on_site", outcome=""))
    assert CARRIED_MARK not in response.content.decode()


def test_an_entry_without_an_outcome_is_refused_and_the_summary_names_the_field(logged_in):
    response = logged_in.post("/", entry_form_data(outcome=""))
    assert response.status_code == 400
    assert not AssistanceRequest.objects.exists()
    assert "obligatoire" in field_error(response, "outcome")
    summary = re.search(r"data-error-summary>(.*?)</p>", response.content.decode()).group(1)
    assert "Issue" in summary


def test_a_form_refused_for_its_outcome_names_the_services_missing_fields_too(logged_in):
    # The kind of referrer is checked by the services, the outcome by the form: one round.
    response = logged_in.post("/", entry_form_data(outcome="", referrer_kind=""))
    assert response.status_code == 400
    assert "obligatoire" in field_error(response, "outcome")
    assert "obligatoire" in field_error(response, "referrer_kind")
    assert not AssistanceRequest.objects.exists()


def test_a_sensitive_flag_with_the_default_consent_asks_for_the_consent_given(logged_in):
    response = logged_in.post(
        "/", entry_form_data(sensitive_flags=["pin"], consent="not_applicable")
    )
    assert response.status_code == 400
    assert not AssistanceRequest.objects.exists()
    assert "consentement" in field_error(response, "consent")
    # The fold of the sensitive data is open on the refused form, the flag still ticked.
    page = response.content.decode()
    assert re.search(r"<details class=\"fold sensitive\" data-sensitive open>", page)
    assert checked(page, "sensitive_flags") == ["pin"]


def test_a_sensitive_flag_with_no_consent_answered_is_refused_with_the_reason(logged_in):
    response = logged_in.post("/", entry_form_data(sensitive_flags=["pin"], consent=""))
    assert response.status_code == 400
    assert "consentement" in field_error(response, "consent")


def test_a_sensitive_flag_with_oral_consent_is_saved(logged_in):
    response = logged_in.post("/", entry_form_data(sensitive_flags=["pin"], consent="oral"))
    assert response.status_code == 302
    assert AssistanceRequest.objects.get().consent == "oral"


def test_errors_are_shown_next_to_their_field_in_french_and_nothing_typed_is_lost(
    logged_in, worker
):
    tomorrow = today() + dt.timedelta(days=1)
    response = logged_in.post(
        "/", entry_form_data(occurred_on=tomorrow.isoformat(), notes="rappeler lundi")
    )
    assert response.status_code == 400
    assert not AssistanceRequest.objects.exists()
    assert "futur" in field_error(response, "occurred_on")
    missing = logged_in.post("/", entry_form_data(duration_minutes="", notes="rappeler lundi"))
    assert "obligatoire" in field_error(missing, "duration_minutes")
    page = response.content.decode()
    assert "rappeler lundi</textarea>" in page
    assert 'value="tax.pit_return" selected' in page


def test_errors_come_in_dutch_for_a_dutch_speaking_worker(logged_in):
    logged_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    tomorrow = today() + dt.timedelta(days=1)
    response = logged_in.post("/", entry_form_data(occurred_on=tomorrow.isoformat()))
    assert "toekomst" in field_error(response, "occurred_on")


def test_a_referrer_chosen_in_the_registry_gives_its_kind_and_same_as_copies_it(logged_in, cpas):
    logged_in.post(
        "/",
        entry_form_data(
            referred_by=str(cpas.pk),
            referred_by_search="CPAS d'Ixelles",
            referrer_kind="",
            responsible_same="on",
            responsible_kind="",
        ),
    )
    entry = AssistanceRequest.objects.get()
    assert entry.referred_by == cpas
    assert entry.referrer_kind == "cpas"
    assert entry.responsible_institution == cpas
    assert entry.responsible_kind == "cpas"


def test_without_javascript_a_typed_name_that_names_one_body_is_taken(logged_in, cpas):
    logged_in.post("/", entry_form_data(referred_by_search="cpas ixelles", referrer_kind=""))
    assert AssistanceRequest.objects.get().referred_by == cpas


def test_a_kind_alone_is_enough_when_the_body_is_unknown(logged_in):
    logged_in.post("/", entry_form_data(referrer_kind="bank", responsible_kind="bank"))
    entry = AssistanceRequest.objects.get()
    assert (entry.referred_by, entry.referrer_kind) == (None, "bank")


def test_an_unknown_person_code_creates_a_pseudonymous_person(logged_in, association):
    logged_in.post("/", entry_form_data(person_code="MZ-17", person_language="nl"))
    person = Person.objects.get(association=association, code="MZ-17")
    assert person.language == "nl"
    assert AssistanceRequest.objects.get().person == person


def test_a_known_person_code_links_the_existing_person(logged_in, association):
    person = PersonFactory(association=association, code="AB-01")
    logged_in.post("/", entry_form_data(person_code="ab-01"))
    assert AssistanceRequest.objects.get().person == person
    assert Person.objects.count() == 1


def test_a_national_number_as_person_code_is_refused_and_nothing_is_written(logged_in):
    response = logged_in.post("/", entry_form_data(person_code="85.07.30-033.28"))
    assert response.status_code == 400
    assert "registre national" in field_error(response, "person_code")
    assert not Person.objects.exists()
    assert not AssistanceRequest.objects.exists()


def test_a_refused_entry_does_not_leave_a_new_person_behind(logged_in):
    logged_in.post("/", entry_form_data(person_code="NEW-1", duration_minutes="0"))
    assert not Person.objects.exists()


def test_sensitive_data_without_a_recorded_consent_is_refused_next_to_the_consent(logged_in):
    response = logged_in.post("/", entry_form_data(sensitive_flags=["pin"]))
    assert response.status_code == 400
    assert field_error(response, "consent")


def test_a_fragment_request_gets_the_page_body_with_a_fresh_form(logged_in):
    response = logged_in.post("/", entry_form_data(notes="vu"), HTTP_X_FRAGMENT="1")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert 'class="entry"' in page
    assert "vu</textarea>" not in page


# --- identifiers in notes ---------------------------------------------------------------------


def test_notes_with_an_identifier_are_not_saved_until_the_worker_chooses(logged_in):
    response = logged_in.post("/", entry_form_data(notes="tél 0470 12 34 56"))
    assert response.status_code == 400
    assert "téléphone" in field_error(response, "notes")
    assert 'value="mask"' in response.content.decode()
    assert not AssistanceRequest.objects.exists()


def test_mask_and_save_stores_the_masked_notes(logged_in):
    logged_in.post("/", entry_form_data(notes="tél 0470 12 34 56", identifiers_action="mask"))
    assert AssistanceRequest.objects.get().notes == "tél •••• •• •• ••"


def test_keep_and_save_stores_the_notes_as_written(logged_in):
    logged_in.post("/", entry_form_data(notes="tél 0470 12 34 56", identifiers_action="keep"))
    assert AssistanceRequest.objects.get().notes == "tél 0470 12 34 56"


def test_the_scan_endpoint_finds_and_masks_identifiers_for_members_only(client, logged_in):
    response = logged_in.post("/lookup/scan/", {"text": "NN 85.07.30-033.28"})
    body = response.json()
    assert [f["kind"] for f in body["findings"]] == ["national_number"]
    assert body["masked"] == "NN ••.••.••-•••.••"
    client.logout()
    assert client.post("/lookup/scan/", {"text": "x"}).status_code == 403


# --- edit, delete and undo --------------------------------------------------------------------


def test_an_entry_of_today_can_be_edited(logged_in, association, worker):
    entry = log_entry(association, actor=worker, occurred_on=today(), duration_minutes=10)
    page = logged_in.get(f"/entries/{entry.pk}/edit/").content.decode()
    assert 'value="10"' in page
    logged_in.post(f"/entries/{entry.pk}/edit/", entry_form_data(duration_minutes="35"))
    entry.refresh_from_db()
    assert entry.duration_minutes == 35
    assert AssistanceRequest.objects.count() == 1


def test_a_worker_cannot_edit_or_delete_another_associations_entry(logged_in):
    other = log_entry(AssociationFactory(), occurred_on=today())
    assert logged_in.get(f"/entries/{other.pk}/edit/").status_code == 404
    assert logged_in.post(f"/entries/{other.pk}/edit/", entry_form_data()).status_code == 404
    assert logged_in.post(f"/entries/{other.pk}/delete/").status_code == 404
    assert logged_in.get(f"/entries/{other.pk}/receipt/").status_code == 404
    assert AssistanceRequest.objects.filter(pk=other.pk).exists()


def test_a_deleted_entry_can_be_brought_back_with_undo(logged_in, association, worker, cpas):
    entry = log_entry(
        association,
        actor=worker,
        occurred_on=today(),
        referred_by=cpas,
        barriers=["itsme"],
        sensitive_flags=["pin"],
        consent="oral",
        notes="à revoir",
    )
    response = logged_in.post(f"/entries/{entry.pk}/delete/", follow=True)
    assert not AssistanceRequest.objects.exists()
    assert 'action="/entries/undo/"' in response.content.decode()

    logged_in.post("/entries/undo/")
    restored = AssistanceRequest.objects.get()
    assert restored.referred_by == cpas
    assert restored.barrier_codes == ["itsme"]
    assert restored.sensitive_flag_codes == ["pin"]
    assert restored.notes == "à revoir"
    assert 'action="/entries/undo/"' not in logged_in.get("/").content.decode()


def test_undo_brings_back_the_entrys_incident_sheet_and_referral(logged_in, association, worker):
    entry = log_entry(association, actor=worker, occurred_on=today())
    sheet = incident_sheet_create(
        association=association,
        occurred_on=today(),
        title="itsme bloqué",
        narrative="Le guichet renvoie vers itsme.",
        entries=[entry],
    )
    referral = Referral.objects.create(
        association=association, assistance_request=entry, destination="epn", referred_on=today()
    )

    logged_in.post(f"/entries/{entry.pk}/delete/")
    logged_in.post("/entries/undo/")

    restored = AssistanceRequest.objects.get()
    assert list(sheet.entries.all()) == [restored]
    referral.refresh_from_db()
    assert referral.assistance_request == restored


def test_undo_is_offered_only_for_a_few_seconds(logged_in, association, worker, monkeypatch):
    entry = log_entry(association, actor=worker, occurred_on=today())
    logged_in.post(f"/entries/{entry.pk}/delete/")
    a_minute_ago = timezone.now() - dt.timedelta(seconds=60)
    EntryUndo.objects.update(created_at=a_minute_ago)  # the deletion, a minute later
    assert 'action="/entries/undo/"' not in logged_in.get("/").content.decode()
    logged_in.post("/entries/undo/")
    assert not AssistanceRequest.objects.exists()
    assert not EntryUndo.objects.exists()  # and its notes are gone with it


def test_undo_after_the_persons_erasure_brings_nothing_back(logged_in, association, worker):
    # The attack: delete an entry, erase its person, then press "Undo" to get the notes back.
    person = PersonFactory(association=association, code="ER-1")
    entry = log_entry(
        association, actor=worker, occurred_on=today(), person=person, notes="rdv mardi"
    )
    logged_in.post(f"/entries/{entry.pk}/delete/")
    logged_in.post(f"/persons/{person.pk}/erase/", {"confirm": "yes"})

    logged_in.post("/entries/undo/")

    assert not AssistanceRequest.objects.filter(notes="rdv mardi").exists()
    assert not EntryUndo.objects.exists()


def test_the_session_holds_the_undo_id_alone_never_the_notes(logged_in, association, worker):
    entry = log_entry(association, actor=worker, occurred_on=today(), notes="rdv mardi")
    logged_in.post(f"/entries/{entry.pk}/delete/")

    session_row = Session.objects.get(session_key=logged_in.session.session_key)
    assert "rdv mardi" not in json.dumps(session_row.get_decoded())
    assert isinstance(logged_in.session["undo"], int)
    logged_in.post("/entries/undo/")
    assert AssistanceRequest.objects.get().notes == "rdv mardi"


def test_expired_undo_rows_are_deleted_by_the_periodic_task(association, worker):
    from cases.tasks import expire_entry_undos_task

    EntryUndo.objects.create(association=association, snapshot={"notes": "old"})
    EntryUndo.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    fresh = EntryUndo.objects.create(association=association, snapshot={"notes": "new"})

    assert expire_entry_undos_task.run() == 1
    assert list(EntryUndo.objects.all()) == [fresh]


# --- the receipt ------------------------------------------------------------------------------


def test_the_receipt_speaks_the_persons_language_and_shows_no_notes(
    logged_in, association, worker, cpas
):
    person = PersonFactory(association=association, code="X-1", language="nl")
    entry = log_entry(
        association,
        actor=worker,
        occurred_on=today(),
        person=person,
        responsible_institution=cpas,
        mode="do_for",
        outcome="pending_inst",
        consent="written",
        notes="NN 85.07.30-033.28",
    )
    page = logged_in.get(f"/entries/{entry.pk}/receipt/").content.decode()
    assert 'lang="nl"' in page
    assert "OCMW Elsene" in page  # the body by its Dutch name
    assert "schriftelijke toestemming" in page.lower()
    assert "85.07.30" not in page
    assert "X-1" not in page
    french = logged_in.get(f"/entries/{entry.pk}/receipt/?lang=fr").content.decode()
    assert "consentement écrit" in french


# --- the registry search ----------------------------------------------------------------------


def test_the_institution_search_finds_bodies_by_name_ignoring_accents(logged_in, cpas):
    # The registry holds real "Société ..." bodies (SWDE, SWL, SLRB): a name of its own.
    Institution.objects.create(name="Société coopérative Écluse", kind="pub_reg", postcode="1000")
    url = "/lookup/institutions/?q=societe cooperative ecluse"
    names = [r["name"] for r in logged_in.get(url).json()["results"]]
    assert names == ["Société coopérative Écluse"]
    result = logged_in.get("/lookup/institutions/?q=ixelles").json()["results"][0]
    assert (result["id"], result["kind"]) == (cpas.pk, "cpas")


def test_the_lookups_are_for_logged_in_members_only(client):
    assert client.get("/lookup/institutions/?q=cpas").status_code == 403
    assert client.post("/lookup/persons/", {"q": "a"}).status_code == 403


def test_the_person_lookup_lists_only_the_associations_persons(logged_in, association):
    PersonFactory(association=association, code="AB-1")
    PersonFactory(association=AssociationFactory(), code="AB-2")
    codes = [r["code"] for r in logged_in.post("/lookup/persons/", {"q": "ab"}).json()["results"]]
    assert codes == ["AB-1"]


# --- incident sheets --------------------------------------------------------------------------


def incident_post(**overrides):
    data = {
        "occurred_on": today().isoformat(),
        "title": "Guichet fermé",
        "narrative": "La personne a été renvoyée vers l'application.",
    }
    data.update(overrides)
    return data


def test_an_incident_sheet_is_saved_with_its_linked_entries(logged_in, association, worker):
    entry = log_entry(association, actor=worker, occurred_on=today())
    response = logged_in.post(
        "/incidents/new/", incident_post(entries=[str(entry.pk)], shared="on"), follow=True
    )
    sheet = association.incident_sheets.get()
    assert list(sheet.entries.all()) == [entry]
    assert sheet.shared
    assert "Guichet fermé" in response.content.decode()


def test_a_narrative_with_an_identifier_cannot_be_shared(logged_in, association):
    response = logged_in.post(
        "/incidents/new/",
        incident_post(
            narrative="Son IBAN BE68 5390 0754 7034", shared="on", identifiers_action="keep"
        ),
    )
    assert response.status_code == 400
    assert 'id="inc-shared-error"' in response.content.decode()
    assert not association.incident_sheets.exists()
