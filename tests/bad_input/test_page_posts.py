"""Every page that accepts a POST answers bad form data with the form again, the error next to
the field in the user's language, never a 5xx, and nothing written.

The pages come from the resolver. Each is either described in PAGE_FORMS (its real field names
and a valid submission that the examples corrupt), fuzzed as a page that only reads on POST, or
excused with the reason; a page that is none of these fails test_every_page_post_is_fuzzed.
Django's test Client skips the CSRF check, so what is exercised is the form's validation.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import event, given
from hypothesis import strategies as st

from attempts.forms import AttemptForm
from cases.forms import EntryForm, IncidentForm
from mandates.views import MandateForm
from organisations.letterhead import LETTERHEAD_FIELDS
from organisations.models import ReferenceAmount, Role
from organisations.reference_amounts import REFERENCE_FIELDS
from orientations.forms import AnswerForm, OrientationForm
from orientations.services import link_token, orientation_send
from tests.bad_input.routes import PAGE_POST_ROUTES, route_id
from tests.bad_input.support import (
    FORM_VALUES,
    PROPERTY,
    TEXT,
    changed_models,
    corrupted,
    fingerprint,
)
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, entry_form_data

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def _redirected(response, data) -> bool:
    return response.status_code == 302


def _form_errors(response) -> dict:
    """The errors the view put in the page's context, by field, in the request's language
    (a form's messages are lazy: read later, they would come out in the test's language)."""
    context = response.context
    if context is None:
        return {}
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return _errors_in(context)


def _errors_in(context) -> dict:
    # The Today page holds other forms beside the entry's (the contact-attempt diary).
    for section in context.get("today_sections") or ():
        section_form = section.get("form")
        if section_form is not None and section_form.is_bound and section_form.errors:
            return {name: list(messages) for name, messages in section_form.errors.items()}
    form = context.get("form")
    if form is not None and hasattr(form, "errors"):
        return {name: list(messages) for name, messages in form.errors.items()}
    if context.get("errors"):
        return {name: list(messages) for name, messages in context["errors"].items()}
    if context.get("error"):
        return {"token": [context["error"]]}  # the two-factor pages: one field, one message
    return {}


@dataclass(frozen=True)
class PageForm:
    caller: str  # "worker", "director", "analyst", "verifying" (has a 2FA device), "anonymous"
    fields: Callable  # scene -> the form's field names
    base: Callable  # scene -> a valid submission
    url_values: Callable = field(default=lambda scene: {})
    # A valid submission: its writes are the point of the page.
    accepted: Callable = _redirected
    # Where a refusal names no field, and why; the message the page shows instead.
    unnamed_refusal: str | None = None
    unnamed_message: Callable | None = None
    # Why a refusal shows no error at all (only "no 5xx, nothing written" is asked).
    silent: str | None = None
    # Fields whose unknown value names no row of the caller: a 404, like any foreign object.
    not_found: tuple = ()


def _today():
    return timezone.localdate().isoformat()


def _log_upload():
    header = "occurred_on;duration_minutes;channel;procedure_domain;referrer_kind;responsible_kind"
    return SimpleUploadedFile("log.csv", f"{header};mode;outcome;consent\n".encode())


def _orientation_of_mine(scene):
    """One orientation of mine awaiting its answer, sent on first use."""
    if getattr(scene.mine, "orientation", None) is None:
        scene.mine.orientation = orientation_send(
            association=scene.mine.association,
            assistance_request=scene.mine.entry.pk,
            recipient_name="Permanence sociale",
            recipient_email="accueil@permanence.example.be",
            recipient_language="fr",
            need="Une aide pour la banque en ligne.",
            consent=True,
        )
    return scene.mine.orientation


def _entry_post(scene):
    return entry_form_data()


def _language_switched(response, data) -> bool:
    language = data.get("language")
    return isinstance(language, str) and language in LANGUAGE_CODES


def _settings_saved(response, data) -> bool:
    return response.status_code == 200 and bool(response.context.get("saved"))


def _reference_amount():
    return {
        "procedure_domain": "ris.application",
        "situation": "Isolé·e",
        "monthly_eur": "1 314,20",
        "source_name": "SPP Intégration sociale",
        "source_url": "https://www.mi-is.be/",
        "valid_from": "2025-02-01",
    }


_PERIOD = {"from": "2025-01", "to": "2025-03"}
_LANGUAGE_SILENT = (
    "Django's language switch: an unknown language leaves the page as it was, there is no "
    "form to show again"
)

PAGE_FORMS = {
    "cases:today": PageForm("worker", lambda s: list(EntryForm().fields), _entry_post),
    "attempts:create": PageForm(
        "worker",
        lambda s: list(AttemptForm().fields),
        lambda s: {
            "institution_kind": "pub_fed",
            "channel": "phone",
            "result": "line_saturated",
            "waited_minutes": "35",
        },
    ),
    "attempts:edit": PageForm(
        "worker",
        lambda s: list(AttemptForm().fields),
        lambda s: {
            "institution_kind": "pub_fed",
            "channel": "phone",
            "result": "no_answer",
            "waited_minutes": "40",
        },
        url_values=lambda s: {"pk": s.mine.attempt.pk},
    ),
    "mandates:create": PageForm(
        "worker",
        lambda s: list(MandateForm().fields),
        lambda s: {
            "scopes": "tax",
            "starts_on": "2025-01-01",
            "ends_on": "2025-12-31",
            "form": "paper",
        },
        url_values=lambda s: {"person_pk": s.mine.person.pk},
    ),
    "orientations:create": PageForm(
        "worker",
        lambda s: list(OrientationForm().fields),
        lambda s: {
            "recipient_name": "Permanence sociale",
            "recipient_email": "accueil@permanence.example.be",
            "recipient_language": "fr",
            "need": "Une aide pour la banque en ligne.",
            "consent": "on",
        },
        url_values=lambda s: {"pk": s.mine.entry.pk},
    ),
    "orientations:answer": PageForm(
        "anonymous",
        lambda s: list(AnswerForm().fields),
        lambda s: {"status": "accepted"},
        url_values=lambda s: {"token": link_token(_orientation_of_mine(s))},
    ),
    "cases:entry_edit": PageForm(
        "worker",
        lambda s: list(EntryForm().fields),
        _entry_post,
        url_values=lambda s: {"pk": s.mine.entry.pk},
    ),
    "cases:incident_create": PageForm(
        "worker",
        lambda s: list(IncidentForm().fields),
        lambda s: {"occurred_on": _today(), "title": "Titre", "narrative": "Récit."},
    ),
    "cases:incident_edit": PageForm(
        "worker",
        lambda s: list(IncidentForm().fields),
        lambda s: {"occurred_on": _today(), "title": "Titre", "narrative": "Récit."},
        url_values=lambda s: {"pk": s.mine.incident.pk},
    ),
    "dossiers:dossier_create": PageForm(
        "director",
        lambda s: ["institution", "from", "to", "sheets", "title"],
        lambda s: {
            "institution": s.cpas.pk,
            "from": "2025-01",
            "to": "2025-12",
            "sheets": [s.mine.named_sheet.pk],
        },
    ),
    "dossiers:dossier_reply": PageForm(
        "director",
        lambda s: ["sent_on", "reply", "replied_on", "fixed"],
        lambda s: {"sent_on": "2025-04-01", "replied_on": "2025-04-02", "fixed": "yes"},
        url_values=lambda s: {"pk": s.mine.dossier.pk},
    ),
    "accounts:settings": PageForm(
        "director",
        # Not require_two_factor: a checkbox, every value but "on" is "off", and turning it on
        # would send the director to set up a device instead of the form.
        lambda s: ["hourly_cost_eur", "retention_years", f"share_{s.federation.pk}"],
        lambda s: {"hourly_cost_eur": "45,50", "retention_years": "5"},
        accepted=_settings_saved,
    ),
    "accounts:letterhead": PageForm(
        "director",
        lambda s: list(LETTERHEAD_FIELDS),
        lambda s: {"street": "Rue Haute 1", "postcode": "1000", "phone": "02 511 22 33"},
        accepted=_settings_saved,
    ),
    "accounts:barriers": PageForm(
        "director",
        lambda s: ["shown_barriers"],
        lambda s: {"shown_barriers": ["itsme", "card_reader", "phone_saturated"]},
        accepted=_settings_saved,
    ),
    "accounts:reference_amounts": PageForm(
        "director",
        lambda s: list(REFERENCE_FIELDS),
        lambda s: _reference_amount(),
    ),
    "accounts:reference_amount_edit": PageForm(
        "director",
        lambda s: list(REFERENCE_FIELDS),
        lambda s: _reference_amount(),
        url_values=lambda s: {
            "pk": ReferenceAmount.objects.for_association(s.mine.association).first().pk
        },
    ),
    "accounts:two_factor_setup": PageForm("director", lambda s: ["token", "next"], lambda s: {}),
    "accounts:two_factor_verify": PageForm("verifying", lambda s: ["token", "next"], lambda s: {}),
    "login": PageForm(
        "anonymous",
        lambda s: ["username", "password", "next"],
        lambda s: {"username": s.worker.user.email, "password": DEFAULT_PASSWORD + "-wrong"},
        unnamed_refusal="wrong credentials never say which of the two is wrong",
        unnamed_message=lambda: gettext("The e-mail address or the password is not right."),
    ),
    "language_set": PageForm(
        "worker",
        lambda s: ["language", "next"],
        lambda s: {"language": "nl"},
        accepted=_language_switched,
        silent=_LANGUAGE_SILENT,
    ),
    "set_language": PageForm(
        "worker",
        lambda s: ["language", "next"],
        lambda s: {"language": "nl"},
        accepted=_language_switched,
        silent=_LANGUAGE_SILENT,
    ),
    "evidence:release-publish": PageForm("analyst", lambda s: ["from", "to"], lambda s: _PERIOD),
    "evidence:sharing": PageForm(
        "director",
        lambda s: ["federation", "shares"],
        lambda s: {"federation": s.federation.slug, "shares": "yes"},
        not_found=("federation",),
    ),
    "cases:person_erase": PageForm(
        "director",
        lambda s: ["confirm"],
        lambda s: {},
        url_values=lambda s: {"pk": s.mine.person.pk},
        silent='one input: anything but confirm=yes shows the confirmation, "yes" erases',
    ),
    "complaints:create": PageForm(
        "director",
        lambda s: ["entries", "language", "addressed_to"],
        lambda s: {"entries": [str(s.mine.once_only_entry.pk)], "language": "fr"},
    ),
    "complaints:detail": PageForm(
        "director",
        lambda s: ["status", "sent_on", "answered_on", "answer", "closed_on"],
        lambda s: {"status": "sent", "sent_on": _today()},
        url_values=lambda s: {"pk": s.mine.complaint.pk},
    ),
    "workload:import-create": PageForm(
        "director",
        lambda s: ["file", "file_kind"],
        lambda s: {"file": _log_upload(), "file_kind": "entries"},
    ),
    "workload:export-create": PageForm(
        "director",
        lambda s: ["export", "format", "from", "to", "group_by", "statement", "language"],
        lambda s: {"export": "monthly", "format": "csv", **_PERIOD},
    ),
}
# Pages that answer a POST without writing anything: fuzzed for "no 5xx, nothing written".
READ_ONLY_ON_POST = {
    "cases:scan_json": "scans the posted text for identifiers and answers JSON, writes nothing",
    "cases:person_list": (
        "a search of persons by code, posted to keep the code out of URLs; writes only the "
        "trail's record of the listing"
    ),
    "cases:persons_json": "the person lookup as you type, posted to keep codes out of URLs",
}
EXCUSED = {
    "logout": "takes no input: it ends the session whatever is posted",
    "cases:entry_delete": "takes no input: the URL names the entry, and deleting it is the request",
    "cases:entry_undo": "takes no input: it logs again the entry the session holds",
    "attempts:delete": "takes no input: the URL names the attempt, and deleting it is the request",
    "accounts:reference_amount_delete": (
        "takes no input: the URL names the reference amount, and deleting it is the request"
    ),
    "attempts:undo": "takes no input: it logs again the attempt the session holds",
    "mandates:revoke": "takes no input: the URL names the mandate, revoked from today",
}
READ_ONLY_URLS = {}


@pytest.mark.parametrize("route", PAGE_POST_ROUTES, ids=route_id)
def test_every_page_post_is_fuzzed(route):
    tables = [t for t in (PAGE_FORMS, READ_ONLY_ON_POST, EXCUSED) if route.name in t]
    assert len(tables) == 1, (
        f"The page {route.template!r} ({route.name}) accepts POST: describe its form in "
        "PAGE_FORMS, or list it in READ_ONLY_ON_POST or EXCUSED with the reason."
    )


def test_no_table_names_a_page_that_is_gone():
    names = {route.name for route in PAGE_POST_ROUTES}
    for table in (PAGE_FORMS, READ_ONLY_ON_POST, EXCUSED):
        assert set(table) <= names, set(table) - names


# --- who posts ----------------------------------------------------------------------------------


@pytest.fixture
def browsers(scene):
    verifying = MembershipFactory(organisation=scene.mine.association, role=Role.WORKER).user
    TOTPDevice.objects.create(user=verifying, name="phone", confirmed=True)
    users = {
        "worker": scene.worker.user,
        "director": scene.director.user,
        "analyst": scene.analyst.user,
        "verifying": verifying,
    }
    clients = {"anonymous": Client()}
    for who, user in users.items():
        clients[who] = Client()
        clients[who].force_login(user)
    return clients


def _url(route, scene, values):
    return route.url(**values(scene))


def _post(client, url, data):
    # A login page POST is a password guess: the throttle would answer after five of them.
    axes_reset()
    return client.post(url, data)


def shown(message, page) -> bool:
    # Escaped in a variable, as written in a {% translate %} tag.
    return escape(message) in page or message in page


def assert_refused_well(spec, scene, response, data, before, context):
    status = response.status_code
    event(f"status {status}")
    assert status < 500, f"{context} -> {status}"
    if spec.accepted(response, data):
        return
    assert changed_models(before, fingerprint()) == [], f"{context} -> {status} wrote rows"
    if status == 404 and any(
        data.get(name) != spec.base(scene).get(name) for name in spec.not_found
    ):
        return
    if spec.silent:
        return
    errors = _form_errors(response)
    assert errors, f"{context} -> {status}: refused, but the page shows no error"
    fields = set(spec.fields(scene))
    assert set(errors) <= fields | {"__all__"}, f"{context}: errors on unknown fields {errors}"
    assert set(errors) & fields or spec.unnamed_refusal, f"{context}: no field named: {errors}"
    page = response.content.decode()
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        for name, messages in errors.items():
            if name == "__all__" and spec.unnamed_message:
                messages = [spec.unnamed_message()]
            for message in messages:
                assert shown(message, page), f"{context}: {name}'s error is not shown: {message}"


# --- the properties -----------------------------------------------------------------------------


PAGE_FORM_ROUTES = [route for route in PAGE_POST_ROUTES if route.name in PAGE_FORMS]
READ_ONLY_ROUTES = [route for route in PAGE_POST_ROUTES if route.name in READ_ONLY_ON_POST]


@pytest.mark.parametrize("route", PAGE_FORM_ROUTES, ids=route_id)
@PROPERTY
@given(data=st.data())
def test_a_form_posted_with_bad_values_is_shown_again_with_the_fields_error(
    route, data, scene, browsers
):
    spec = PAGE_FORMS[route.name]
    url = _url(route, scene, spec.url_values)
    body = data.draw(corrupted(spec.base(scene), spec.fields(scene), FORM_VALUES), label="body")
    before = fingerprint()

    response = _post(browsers[spec.caller], url, body)

    assert_refused_well(spec, scene, response, body, before, f"POST {url} {body!r:.300}")


@pytest.mark.parametrize("route", PAGE_FORM_ROUTES, ids=route_id)
@PROPERTY
@given(data=st.data())
def test_a_form_posted_with_random_names_and_values_is_refused_cleanly(
    route, data, scene, browsers
):
    spec = PAGE_FORMS[route.name]
    url = _url(route, scene, spec.url_values)
    names = st.one_of(st.sampled_from(spec.fields(scene)), TEXT)
    body = data.draw(st.dictionaries(names, FORM_VALUES, max_size=6), label="body")
    before = fingerprint()

    response = _post(browsers[spec.caller], url, body)

    assert_refused_well(spec, scene, response, body, before, f"POST {url} {body!r:.300}")


@pytest.mark.parametrize("route", READ_ONLY_ROUTES, ids=route_id)
@PROPERTY
@given(body=st.dictionaries(st.one_of(st.just("text"), TEXT), FORM_VALUES, max_size=4))
def test_a_page_that_only_reads_writes_nothing_whatever_is_posted(route, body, scene, browsers):
    url = _url(route, scene, READ_ONLY_URLS.get(route.name, lambda s: {}))
    before = fingerprint()

    response = _post(browsers["worker"], url, body)

    assert response.status_code < 500, (url, body)
    assert changed_models(before, fingerprint()) == [], (url, body)


# --- in the user's language -------------------------------------------------------------------


@PROPERTY
@given(data=st.data())
def test_a_refused_entry_is_explained_in_dutch_to_a_dutch_speaking_worker(data, scene):
    spec = PAGE_FORMS["cases:today"]
    body = data.draw(corrupted(_entry_post(scene), spec.fields(scene), FORM_VALUES), label="body")
    answers = {}
    for language in ("nl", "fr", "en"):
        client = Client()
        client.force_login(scene.worker.user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        answers[language] = client.post("/", body)
    dutch = answers["nl"]
    assert dutch.status_code < 500
    if dutch.status_code != 400:
        return
    assert dutch.wsgi_request.LANGUAGE_CODE == "nl"
    errors = {lang: _form_errors(answer) for lang, answer in answers.items()}
    page = dutch.content.decode()
    for name, messages in errors["nl"].items():
        elsewhere = set(errors["fr"].get(name, [])) | set(errors["en"].get(name, []))
        for message in messages:
            assert shown(message, page), f"{name}: {message!r} is not shown ({body!r:.300})"
            assert message not in elsewhere, f"{name}: {message!r} is not in Dutch ({body!r:.300})"


def test_the_dutch_property_sees_a_dutch_message(scene):
    client = Client()
    client.force_login(scene.worker.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()

    response = client.post("/", {**_entry_post(scene), "occurred_on": future})

    assert response.status_code == 400
    with translation.override("nl"):
        expected = gettext("The date cannot be in the future.")
    assert expected != "The date cannot be in the future."
    assert escape(expected) in response.content.decode()
