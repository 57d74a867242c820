"""An incident sheet started from an entry: the worker finds the entry's day, procedure,
responsible body and barriers already filled in, each marked "taken from the entry" until they
change it, and the saved sheet is linked to the entry. The sheet's date is one field, checked
like every date of the log: never in the future, and a refusal names the date of the incident.
Another association's entry is a 404."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cases.forms import IncidentForm, incident_initial_from_entry
from cases.models import IncidentSheet
from referrals.models import Institution
from tests.factories import DEFAULT_PASSWORD, AssociationFactory, MembershipFactory, log_entry

CARRIED_MARK = "reprise de la saisie"


def today():
    return timezone.localdate()


@pytest.fixture
def logged_in(client, worker):
    client.login(email=worker.email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def cpas():
    return Institution.objects.get(name__startswith="CPAS d'Ixelles")


@pytest.fixture
def entry(association, worker, cpas):
    """Yesterday's entry: unemployment, the CPAS of Ixelles responsible, two barriers."""
    return log_entry(
        association,
        actor=worker,
        occurred_on=today() - dt.timedelta(days=1),
        procedure_domain="unemp",
        referred_by=cpas,
        referrer_kind="cpas",
        responsible_institution=cpas,
        responsible_kind="cpas",
        barriers=["itsme", "no_device"],
    )


def sheet_url(entry):
    return f"/incidents/new/?entry={entry.pk}"


def marked_labels(page: str) -> list[str]:
    """The for= of every label (and "barriers" for the legend) that carries the mark."""
    marked = re.findall(r'<label for="inc-([\w-]+)">[^<]*<span class="carried"', page)
    if re.search(r'<legend>[^<]*<span class="carried"', page):
        marked.append("barriers")
    return sorted(marked)


def posted_from(form_initial: dict, **overrides) -> dict:
    """What the browser posts for a prefilled form once the worker wrote title and story."""
    data = {
        "title": "Le formulaire en ligne refuse la carte",
        "narrative": "La personne n'a pas de lecteur de carte et le guichet est fermé.",
    }
    for name, value in form_initial.items():
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    data.update(overrides)
    return data


# --- the prefill --------------------------------------------------------------------------------


def test_the_prefill_copies_day_procedure_body_and_barriers_and_links_the_entry(entry, cpas):
    initial = incident_initial_from_entry(entry)

    assert initial == {
        "occurred_on": entry.occurred_on,
        "procedure_domain": "unemp",
        "responsible_institution": cpas.pk,
        "responsible_search": str(cpas),
        "responsible_kind": "cpas",
        "barriers": ["itsme", "no_device"],
        "entries": [str(entry.pk)],
    }


def test_what_the_entry_does_not_have_is_neither_copied_nor_marked(association, worker):
    bare = log_entry(association, actor=worker, occurred_on=today(), responsible_kind="pub_fed")

    form = IncidentForm(entries=[bare], from_entry=bare)

    assert "responsible_institution" not in form.initial
    assert "barriers" not in form.initial
    assert form.carried == {"occurred_on": True, "procedure_domain": True, "responsible_kind": True}


def test_a_sheet_started_from_an_entry_opens_prefilled_and_marked(logged_in, entry, cpas):
    response = logged_in.get(sheet_url(entry))

    assert response.status_code == 200
    page = response.content.decode()
    form = response.context["form"]
    assert form["procedure_domain"].value() == "unemp"
    assert form["responsible_institution"].value() == cpas.pk
    assert form["responsible_kind"].value() == "cpas"
    assert sorted(form["barriers"].value()) == ["itsme", "no_device"]
    assert form["entries"].value() == [str(entry.pk)]
    assert f'value="{cpas.pk}"' in page and 'value="unemp" selected' in page
    assert f'value="{entry.occurred_on.isoformat()}"' in page
    assert marked_labels(page) == [
        "barriers",
        "occurred_on",
        "procedure_domain",
        "responsible_kind",
        "responsible_search",
    ]
    assert "Fiche commencée depuis la saisie du" in page
    assert f'name="entries" value="{entry.pk}" checked' in page
    assert f'action="/incidents/new/?entry={entry.pk}"' in page


def test_the_saved_sheet_keeps_the_copied_values_and_is_linked_to_the_entry(
    logged_in, association, entry, cpas
):
    data = posted_from(incident_initial_from_entry(entry))

    response = logged_in.post(sheet_url(entry), data, follow=True)

    sheet = IncidentSheet.objects.get()
    assert sheet.association == association
    assert (sheet.occurred_on, sheet.procedure_domain) == (entry.occurred_on, "unemp")
    assert (sheet.responsible_institution, sheet.responsible_kind) == (cpas, "cpas")
    assert sheet.barriers == ["itsme", "no_device"]
    assert list(sheet.entries.all()) == [entry]
    # The list says which entry the sheet is about, with a link to it.
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/incidents/"
    assert f'href="/entries/{entry.pk}/edit/"' in page
    assert "À propos de la saisie du" in page


def test_a_value_the_worker_changed_loses_its_mark_and_the_others_keep_it(logged_in, entry):
    data = posted_from(incident_initial_from_entry(entry), procedure_domain="tax.pit_return")
    data["title"] = ""  # refused: the page comes back with what was typed

    response = logged_in.post(sheet_url(entry), data)

    assert response.status_code == 400
    marked = marked_labels(response.content.decode())
    assert "procedure_domain" not in marked
    assert {"occurred_on", "barriers", "responsible_search"} <= set(marked)
    assert not IncidentSheet.objects.exists()


def test_an_older_entry_or_a_colleagues_entry_can_still_be_linked(logged_in, association):
    colleague = MembershipFactory(organisation=association).user
    old = log_entry(association, actor=colleague, occurred_on=today() - dt.timedelta(days=40))

    logged_in.post(sheet_url(old), posted_from(incident_initial_from_entry(old)))

    assert list(IncidentSheet.objects.get().entries.all()) == [old]


def test_the_days_list_and_the_entry_page_offer_to_start_a_sheet(logged_in, association, worker):
    todays = log_entry(association, actor=worker, occurred_on=today())

    day = logged_in.get("/").content.decode()
    edit = logged_in.get(f"/entries/{todays.pk}/edit/").content.decode()

    assert f'href="/incidents/new/?entry={todays.pk}">Commencer une fiche incident' in day
    assert f'href="/incidents/new/?entry={todays.pk}">Commencer une fiche incident' in edit


def test_the_entry_page_names_the_sheets_about_it(logged_in, entry):
    logged_in.post(sheet_url(entry), posted_from(incident_initial_from_entry(entry)))

    edit = logged_in.get(f"/entries/{entry.pk}/edit/").content.decode()

    assert "Fiches incident à son sujet" in edit
    assert "Le formulaire en ligne refuse la carte" in edit


# --- one date, checked --------------------------------------------------------------------------


def date_error(response) -> str | None:
    page = response.content.decode()
    match = re.search(r'<p class="error" id="inc-occurred_on-error">(.*?)</p>', page)
    return match.group(1) if match else None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("tomorrow", "ne peut pas être dans le futur"),
        ("31/02/2025", "n&#x27;est pas une date"),
        ("someday", "n&#x27;est pas une date"),
        ("", "Indiquez la date de l&#x27;incident"),
    ],
)
def test_a_bad_date_is_refused_under_the_field_naming_it_and_nothing_is_saved(
    logged_in, entry, typed, message
):
    if typed == "tomorrow":
        typed = (today() + dt.timedelta(days=1)).isoformat()
    data = posted_from(incident_initial_from_entry(entry), occurred_on=typed)

    response = logged_in.post(sheet_url(entry), data)

    assert response.status_code == 400
    error = date_error(response)
    assert error is not None and message in error
    assert "date de l&#x27;incident" in error or "date de l'incident" in error
    assert not IncidentSheet.objects.exists()


def test_the_date_can_be_typed_as_day_month_year(logged_in, entry):
    data = posted_from(incident_initial_from_entry(entry), occurred_on="14/03/2025")

    logged_in.post(sheet_url(entry), data)

    assert IncidentSheet.objects.get().occurred_on == dt.date(2025, 3, 14)


def test_the_form_has_one_date_field(logged_in, entry):
    page = logged_in.get(sheet_url(entry)).content.decode()

    assert page.count('type="date"') == 1
    assert "Date de l&#x27;incident" in page or "Date de l'incident" in page


# --- another association ------------------------------------------------------------------------


def test_another_associations_entry_is_not_found_and_nothing_is_copied_or_saved(logged_in):
    other = AssociationFactory(slug="asbl-elsewhere")
    foreign = log_entry(other, procedure_domain="housing", occurred_on=today())

    opened = logged_in.get(sheet_url(foreign))
    posted = logged_in.post(sheet_url(foreign), posted_from(incident_initial_from_entry(foreign)))

    assert opened.status_code == posted.status_code == 404
    assert not IncidentSheet.objects.exists()


@pytest.mark.parametrize("nonsense", ["", "-1", "abc", "99999999999999999999", "²", "a\x00b"])
def test_an_entry_id_that_names_nothing_is_not_found(logged_in, nonsense):
    assert logged_in.get("/incidents/new/", {"entry": nonsense}).status_code == 404


def test_a_stranger_cannot_slip_another_associations_entry_into_the_links(logged_in, entry):
    foreign = log_entry(AssociationFactory(slug="asbl-far"), occurred_on=today())
    data = posted_from(incident_initial_from_entry(entry))
    data["entries"] = [str(entry.pk), str(foreign.pk)]

    response = logged_in.post(sheet_url(entry), data)

    assert response.status_code == 400
    assert not IncidentSheet.objects.exists()
