"""The staff admin: every registered model can be listed, added and changed, and writes made
there keep the rules of the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from audit.models import AuditEvent
from cases.models import AssistanceRequest, IncidentSheet, Person
from organisations.models import Association, FederationMembership, Membership, User
from organisations.signals import hourly_cost_changed
from referrals.models import Institution, Referral
from tests.factories import (
    DEFAULT_DAY,
    AssociationFactory,
    FederationFactory,
    MembershipFactory,
    PersonFactory,
    log_entry,
)

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
IDS = [model._meta.label for model in REGISTERED]
FOUNDATION_APPS = {"auth", "knox", "organisations", "referrals", "cases"}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser():
    return User.objects.create_superuser(email="admin@example.be", password="Armoire-Grise-55")


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def one_of_each(association, worker):
    """At least one row of every registered model, so that lists and change pages show data."""
    federation = FederationFactory(slug="fdss")
    FederationMembership.objects.create(association=association, federation=federation)
    MembershipFactory(organisation=federation, role="analyst")
    person = PersonFactory(association=association)
    entry = log_entry(
        association,
        person=person,
        barriers=["itsme"],
        sensitive_flags=["pin"],
        consent="oral",
        responsible_institution=Institution.objects.get(code="onem"),
    )
    Referral.objects.create(
        association=association,
        assistance_request=entry,
        destination="epn",
        institution=Institution.objects.get(code="epn"),
        referred_on=DEFAULT_DAY,
    )
    sheet = IncidentSheet.objects.create(
        association=association,
        occurred_on=DEFAULT_DAY,
        title="Rendez-vous uniquement en ligne",
        narrative="La personne n'a pas pu prendre rendez-vous sans smartphone.",
        barriers=["appointment_online"],
    )
    sheet.entries.add(entry)
    Group.objects.create(name="Coordination")
    AuthToken.objects.create(worker)


def test_every_model_of_the_foundation_is_in_the_admin():
    labels = set(IDS)
    assert {
        "organisations.User",
        "organisations.Association",
        "organisations.Federation",
        "organisations.Membership",
        "organisations.FederationMembership",
        "referrals.Institution",
        "referrals.Referral",
        "cases.Person",
        "cases.AssistanceRequest",
        "cases.IncidentSheet",
    } <= labels


@pytest.mark.parametrize("model", REGISTERED, ids=IDS)
def test_the_changelist_of_every_registered_model_renders(staff_client, one_of_each, model):
    response = staff_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=IDS)
def test_the_add_page_of_every_registered_model_renders(staff_client, model):
    response = staff_client.get(admin_url(model, "add"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=IDS)
def test_the_change_page_of_every_registered_model_renders(staff_client, one_of_each, model):
    obj = model._default_manager.order_by("pk").first()
    if obj is None and model._meta.app_label not in FOUNDATION_APPS:
        pytest.skip(f"no {model._meta.label} row in the foundation fixture")
    assert obj is not None, model
    response = staff_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "?channel=phone",
        "?procedure_root=tax",
        "?outcome=resolved&consent=oral",
        "?has_barrier__exact=1",
        "?q=P-0",
        "?occurred_on__year=2025",
    ],
)
def test_the_log_can_be_filtered_and_searched(staff_client, one_of_each, query):
    response = staff_client.get(admin_url(AssistanceRequest, "changelist") + query)
    assert response.status_code == 200


def test_the_person_admin_shows_only_the_pseudonymous_fields(staff_client, one_of_each):
    person = Person.objects.first()
    response = staff_client.get(admin_url(Person, "change", person.pk))
    form = response.context["adminform"].form
    assert set(form.fields) == {"code", "birth_year", "postcode", "language"}
    model_admin = admin.site._registry[Person]
    assert set(model_admin.list_display) <= {
        "code",
        "association",
        "birth_year",
        "postcode",
        "language",
    }


# --- Writes through the admin ----------------------------------------------------------------


def inline_management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def entry_post(association, barriers=(), flags=(), **overrides):
    data = {
        "association": str(association.pk),
        "occurred_on": "2025-05-12",
        "duration_minutes": "40",
        "channel": "phone",
        "procedure_domain": "energy.social_tariff",
        "referrer_kind": "self",
        "referred_by": "",
        "responsible_kind": "utilities",
        "responsible_institution": "",
        "mode": "do_with",
        "outcome": "resolved",
        "consent": "oral",
        "person": "",
        "notes": "",
        **inline_management("barriers", len(barriers)),
        **inline_management("sensitive_flags", len(flags)),
    }
    for i, code in enumerate(barriers):
        data[f"barriers-{i}-code"] = code
    for i, code in enumerate(flags):
        data[f"sensitive_flags-{i}-code"] = code
    data.update(overrides)
    return data


def test_an_entry_added_in_the_admin_gets_its_derived_columns(
    staff_client, association, superuser, changed_months
):
    cpas = Institution.objects.get(kind="cpas", postcode="1070")
    response = staff_client.post(
        admin_url(AssistanceRequest, "add"),
        entry_post(
            association,
            barriers=["once_only", "no_device"],
            flags=["pin"],
            referred_by=str(cpas.pk),
        ),
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    entry = AssistanceRequest.objects.get()
    assert entry.month == "2025-05"
    assert entry.procedure_root == "energy"
    assert entry.referrer_kind == "cpas"
    assert entry.created_by == superuser
    assert entry.barrier_codes == ["no_device", "once_only"]
    assert entry.has_barrier and entry.has_once_only and entry.has_sensitive_flag
    assert changed_months == [(association.pk, {"2025-05"})]


def test_an_entry_changed_in_the_admin_restates_both_months(
    staff_client, association, changed_months
):
    entry = log_entry(association, occurred_on=dt.date(2025, 3, 14), barriers=["itsme"])
    changed_months.clear()
    data = entry_post(association, occurred_on="2025-04-01")
    del data["association"]
    data.update(
        {
            **inline_management("barriers", 1, initial=1),
            "barriers-0-id": str(entry.barriers.get().pk),
            "barriers-0-code": "itsme",
            "barriers-0-DELETE": "on",
        }
    )

    response = staff_client.post(admin_url(AssistanceRequest, "change", entry.pk), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    entry.refresh_from_db()
    assert entry.month == "2025-04"
    assert entry.barrier_codes == [] and not entry.has_barrier
    assert changed_months == [(association.pk, {"2025-03", "2025-04"})]


def test_a_sensitive_flag_without_consent_is_refused_in_the_admin(staff_client, association):
    response = staff_client.post(
        admin_url(AssistanceRequest, "add"),
        entry_post(association, flags=["password"], consent="not_applicable"),
    )
    assert response.status_code == 200
    assert AssistanceRequest.objects.count() == 0


def test_a_future_date_is_refused_in_the_admin(staff_client, association):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = staff_client.post(
        admin_url(AssistanceRequest, "add"),
        entry_post(association, occurred_on=tomorrow.isoformat()),
    )
    assert response.status_code == 200
    assert "occurred_on" in response.context["adminform"].form.errors
    assert AssistanceRequest.objects.count() == 0


def test_a_person_of_another_association_is_refused_in_the_admin(staff_client, association):
    stranger = PersonFactory(association=AssociationFactory())
    response = staff_client.post(
        admin_url(AssistanceRequest, "add"), entry_post(association, person=str(stranger.pk))
    )
    assert response.status_code == 200
    assert "person" in response.context["adminform"].form.errors
    assert AssistanceRequest.objects.count() == 0


def test_deleting_an_entry_in_the_admin_tells_the_workload_app(
    staff_client, association, changed_months
):
    entry = log_entry(association)
    changed_months.clear()
    response = staff_client.post(admin_url(AssistanceRequest, "delete", entry.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not AssistanceRequest.objects.exists()
    assert changed_months == [(association.pk, {"2025-03"})]


def test_adding_changing_and_deleting_an_entry_in_the_admin_are_in_the_trail(
    staff_client, association, superuser
):
    # Given an entry added in the admin
    response = staff_client.post(admin_url(AssistanceRequest, "add"), entry_post(association))
    assert response.status_code == 302, response.context and response.context["errors"]
    entry = AssistanceRequest.objects.get()

    # when it is changed, then deleted there
    data = entry_post(association, duration_minutes="55", barriers=["itsme"])
    del data["association"]
    response = staff_client.post(admin_url(AssistanceRequest, "change", entry.pk), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    entry.refresh_from_db()
    assert entry.barrier_codes == ["itsme"] and entry.has_barrier
    response = staff_client.post(admin_url(AssistanceRequest, "delete", entry.pk), {"post": "yes"})
    assert response.status_code == 302

    # then the trail holds each step, by the staff member, naming what changed
    trail = list(
        AuditEvent.objects.filter(
            object_type="assistance_request", object_id=str(entry.pk)
        ).order_by("pk")
    )
    assert [event.action for event in trail] == ["create", "update", "delete"]
    assert {event.actor_email for event in trail} == {superuser.email}
    assert trail[1].detail["fields"] == ["barriers", "duration_minutes"]


def test_entries_deleted_together_in_the_admin_restate_their_months(
    staff_client, association, changed_months
):
    march = log_entry(association, occurred_on=dt.date(2025, 3, 14))
    april = log_entry(association, occurred_on=dt.date(2025, 4, 2))
    changed_months.clear()
    response = staff_client.post(
        admin_url(AssistanceRequest, "changelist"),
        {"action": "delete_selected", "_selected_action": [march.pk, april.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AssistanceRequest.objects.exists()
    assert sorted(months for _association, changed in changed_months for months in changed) == [
        "2025-03",
        "2025-04",
    ]
    assert {association_id for association_id, _months in changed_months} == {association.pk}


def test_a_national_register_number_is_refused_as_person_code_in_the_admin(
    staff_client, association
):
    response = staff_client.post(
        admin_url(Person, "add"),
        {"association": str(association.pk), "code": "85.07.30-033.61", "language": "fr"},
    )
    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors
    assert not Person.objects.exists()


def test_a_person_is_added_in_the_admin(staff_client, association):
    response = staff_client.post(
        admin_url(Person, "add"),
        {
            "association": str(association.pk),
            "code": "MARIE-01",
            "birth_year": "1958",
            "postcode": "1070",
            "language": "nl",
        },
    )
    assert response.status_code == 302
    assert Person.objects.get().code == "MARIE-01"


def test_a_person_added_and_changed_in_the_admin_is_in_the_trail(staff_client, association):
    response = staff_client.post(
        admin_url(Person, "add"),
        {"association": str(association.pk), "code": "MARIE-01", "language": "fr"},
    )
    assert response.status_code == 302
    person = Person.objects.get()
    response = staff_client.post(
        admin_url(Person, "change", person.pk),
        {"code": "MARIE-01", "postcode": "1070", "language": "fr"},
    )
    assert response.status_code == 302, response.context and response.context["errors"]

    trail = list(AuditEvent.objects.filter(object_type="person").order_by("pk"))
    assert [event.action for event in trail] == ["create", "update"]
    assert trail[1].detail["fields"] == ["postcode"]
    assert Person.objects.get().postcode == "1070"


def test_a_user_is_added_in_the_admin_by_email(staff_client):
    response = staff_client.post(
        admin_url(User, "add"),
        {
            "email": "Nouvelle@Example.be",
            "usable_password": "true",
            "password1": "Fenetre-Jaune-321",
            "password2": "Fenetre-Jaune-321",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    user = User.objects.get(email="nouvelle@example.be")
    assert authenticate(email="nouvelle@example.be", password="Fenetre-Jaune-321") == user


def test_an_analyst_cannot_be_made_a_member_of_an_association_in_the_admin(
    staff_client, association
):
    user = User.objects.create_user(email="a@example.be", password="x")
    response = staff_client.post(
        admin_url(Membership, "add"),
        {"user": str(user.pk), "organisation": str(association.pk), "role": "analyst"},
    )
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert not Membership.objects.exists()


def test_an_upper_case_slug_is_refused_in_the_admin(staff_client):
    response = staff_client.post(
        admin_url(Association, "add"),
        {
            "name": "ASBL X",
            "slug": "ASBL-X",
            "region": "bxl",
            "hourly_cost_eur": "40.00",
            "retention_years": "5",
            **inline_management("federation_memberships", 0),
        },
    )
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors


def test_a_new_hourly_cost_in_the_admin_revalues_the_figures(staff_client, association):
    calls = []

    def receiver(sender, association, **kwargs):
        calls.append(association.pk)

    hourly_cost_changed.connect(receiver, weak=False, dispatch_uid="test-admin-cost")
    try:
        response = staff_client.post(
            admin_url(Association, "change", association.pk),
            {
                "name": association.name,
                "slug": association.slug,
                "region": "bxl",
                "hourly_cost_eur": "52.50",
                "retention_years": "5",
                **inline_management("federation_memberships", 0),
            },
        )
    finally:
        hourly_cost_changed.disconnect(dispatch_uid="test-admin-cost")
    assert response.status_code == 302, response.context and response.context["errors"]
    association.refresh_from_db()
    assert association.hourly_cost_eur == Decimal("52.50")
    assert calls == [association.pk]


def test_a_code_left_blank_in_the_admin_is_named(staff_client, association):
    response = staff_client.post(
        admin_url(AssistanceRequest, "add"), entry_post(association, channel="", mode="")
    )
    assert response.status_code == 200
    assert {"channel", "mode"} <= set(response.context["adminform"].form.errors)
    assert AssistanceRequest.objects.count() == 0


def test_an_incident_sheet_cannot_cite_another_associations_entry(staff_client, association):
    foreign_entry = log_entry(AssociationFactory())
    response = staff_client.post(
        admin_url(IncidentSheet, "add"),
        {
            "association": str(association.pk),
            "occurred_on": "2025-03-20",
            "title": "Guichet fermé",
            "narrative": "Le guichet n'accepte plus que les demandes en ligne.",
            "barriers": ["counter_closed"],
            "entries": str(foreign_entry.pk),
        },
    )
    assert response.status_code == 200
    assert "entries" in response.context["adminform"].form.errors
    assert not IncidentSheet.objects.exists()


def test_an_incident_sheet_takes_the_kind_of_its_institution(staff_client, association):
    response = staff_client.post(
        admin_url(IncidentSheet, "add"),
        {
            "association": str(association.pk),
            "occurred_on": "2025-03-20",
            "title": "Guichet fermé",
            "narrative": "Le guichet n'accepte plus que les demandes en ligne.",
            "responsible_kind": "pub_fed",
            "responsible_institution": str(Institution.objects.get(code="onem").pk),
            "barriers": ["counter_closed", "appointment_online"],
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    sheet = IncidentSheet.objects.get()
    assert sheet.responsible_kind == "socsec"
    assert sheet.barriers == ["appointment_online", "counter_closed"]
