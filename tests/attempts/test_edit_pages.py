"""Editing an attempt in the diary's own line on the Today page, without JavaScript: the line
comes back filled with the attempt's values, saving changes it, "Undo" puts the old values back,
a refused change names the field and writes nothing, and another association's attempt is 404."""

import pytest
from django.utils import timezone

from attempts.models import ContactAttempt
from freshness.models import DirtyMonth
from referrals.models import Institution
from tests.factories import DEFAULT_PASSWORD, AssociationFactory, log_attempt, log_entry


@pytest.fixture
def logged_in(client, worker):
    client.login(email=worker.email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def pensions():
    return Institution.objects.filter(kind="pub_fed").order_by("pk").first()


@pytest.fixture
def todays(association, worker, pensions):
    return log_attempt(
        association, actor=worker, occurred_on=timezone.localdate(), institution=pensions
    )


def edit_url(attempt):
    return f"/attempts/{attempt.pk}/edit/"


def changed_fields(attempt, **changes):
    fields = {
        "institution": attempt.institution_id or "",
        "institution_search": str(attempt.institution or ""),
        "institution_kind": attempt.institution_kind,
        "channel": attempt.channel,
        "result": attempt.result,
        "waited_minutes": str(attempt.waited_minutes),
        "assistance_request": "",
    }
    return {**fields, **changes}


def test_each_attempt_of_the_day_offers_to_edit_it(logged_in, todays):
    html = logged_in.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    row = html.split(f'id="attempt-{todays.pk}"')[1].split("</li>")[0]
    assert f'href="/attempts/{todays.pk}/edit/"' in row
    assert "Modifier" in row


def test_edit_opens_the_diary_line_filled_with_the_attempt_and_a_cancel(logged_in, todays):
    response = logged_in.get(edit_url(todays), HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 200
    html = response.content.decode()
    form = html.split('data-attempt-editing="')[1].split("</form>")[0]
    assert "Modifier la tentative" in form
    assert f'action="/attempts/{todays.pk}/edit/"' in html
    assert 'value="35"' in form
    assert '<option value="line_saturated" selected>' in form
    assert f'name="institution" value="{todays.institution_id}"' in form
    assert "Enregistrer les modifications" in form
    assert "Annuler" in form
    # The row being edited is marked in the day's list.
    assert 'class="attempt is-editing"' in html


def test_saving_the_edit_changes_the_attempt_and_marks_its_month(logged_in, todays):
    DirtyMonth.objects.all().delete()

    response = logged_in.post(
        edit_url(todays),
        changed_fields(todays, result="no_answer", waited_minutes="50"),
        HTTP_ACCEPT_LANGUAGE="fr",
        follow=True,
    )

    assert response.status_code == 200
    todays.refresh_from_db()
    assert (todays.result, todays.waited_minutes) == ("no_answer", 50)
    assert ContactAttempt.objects.count() == 1
    html = response.content.decode()
    assert "Tentative modifiée." in html
    assert "Annuler la modification de la tentative" in html
    # Back to a line for a new attempt.
    assert 'action="/attempts/"' in html
    assert DirtyMonth.objects.filter(month=todays.month).exists()


def test_undo_after_an_edit_puts_the_old_values_back(logged_in, todays, pensions):
    logged_in.post(
        edit_url(todays),
        changed_fields(
            todays,
            institution="",
            institution_search="",
            institution_kind="cpas",
            channel="counter",
            result="counter_closed",
            waited_minutes="20",
        ),
    )
    todays.refresh_from_db()
    assert (todays.institution, todays.channel) == (None, "counter")

    page = logged_in.post("/attempts/undo/", HTTP_ACCEPT_LANGUAGE="fr", follow=True)

    todays.refresh_from_db()
    assert (todays.institution, todays.institution_kind, todays.channel) == (
        pensions,
        pensions.kind,
        "phone",
    )
    assert (todays.result, todays.waited_minutes) == ("line_saturated", 35)
    assert ContactAttempt.objects.count() == 1
    assert "Annuler la modification" not in page.content.decode()


def test_an_edit_keeps_the_entry_the_attempt_was_for(logged_in, association, worker):
    entry = log_entry(association, actor=worker, occurred_on=timezone.localdate())
    attempt = log_attempt(
        association, actor=worker, occurred_on=timezone.localdate(), assistance_request=entry
    )

    html = logged_in.get(edit_url(attempt)).content.decode()
    assert f'<option value="{entry.pk}" selected>' in html

    logged_in.post(
        edit_url(attempt),
        changed_fields(attempt, assistance_request=str(entry.pk), waited_minutes="40"),
    )
    attempt.refresh_from_db()
    assert (attempt.assistance_request, attempt.waited_minutes) == (entry, 40)


def test_a_refused_edit_names_the_field_in_the_users_language_and_writes_nothing(logged_in, todays):
    response = logged_in.post(
        edit_url(todays),
        changed_fields(todays, result="", waited_minutes="700"),
        HTTP_ACCEPT_LANGUAGE="nl",
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="attempt-result-error"' in html
    assert 'id="attempt-minutes-error"' in html
    assert "600" in html
    # Still the attempt being edited, with the values typed.
    assert f'data-attempt-editing="{todays.pk}"' in html
    assert "De poging bewerken" in html
    todays.refresh_from_db()
    assert (todays.result, todays.waited_minutes) == ("line_saturated", 35)


def test_another_associations_attempt_cannot_be_opened_nor_edited(logged_in):
    theirs = log_attempt(AssociationFactory())

    assert logged_in.get(edit_url(theirs)).status_code == 404
    response = logged_in.post(edit_url(theirs), changed_fields(theirs, waited_minutes="1"))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.waited_minutes == 35


def test_undo_of_an_edit_to_an_attempt_deleted_since_says_so(logged_in, todays):
    logged_in.post(edit_url(todays), changed_fields(todays, waited_minutes="50"))
    ContactAttempt.objects.all().delete()

    page = logged_in.post("/attempts/undo/", HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert page.status_code == 200
    assert "Nothing to undo." in page.content.decode()
    assert not ContactAttempt.objects.exists()
