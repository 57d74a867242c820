"""Exports, query strings and form posts: the isolation walk of the route table, carried on.

tests/api/test_isolation_route_table.py reads every route from the resolver and tries it as
callers of another association. This module reuses its routes, its scene and its fingerprint
for what that walk does not reach, and is just as automatic: a route or a query parameter added
later is walked too, or fails the suite until someone says how to walk it.

* Exports: every route whose name or path says export, download, csv, xlsx, pdf, json,
  statement or receipt, in every format, with mine's ids in the URL and in the query string.
  Callers of `other` get 403 or 404 on mine's objects, and every file that they may download
  (their own figures, their own jobs' files, the open-data releases) is decoded (CSV, XLSX,
  PDF, JSON) and holds none of mine's rows or figures.
* Query strings: every parameter that a view reads from `request.GET` (found in the source)
  is set to mine's ids on every page, and to nonsense (never a 500); the API's lists are
  filtered by mine's ids.
* Page writes: every page is posted by `other`'s worker and director and by an analyst, with
  mine's ids in the URL and a form naming mine's objects: refused (or a form error), and
  nothing of mine changes, nothing of theirs comes to point at mine, and mine's audit trail
  records nothing.
"""

import csv
import datetime as dt
import io
import itertools
import json
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.test import Client
from django.utils.html import escape
from openpyxl import load_workbook

from audit.models import AuditEvent
from cases.models import AssistanceRequest, IncidentSheet, Person
from cases.services import incident_sheet_create
from dossiers.services import dossier_create
from evidence.services import release_publish
from mandates import services as mandate_services
from organisations.selectors import seat_for_user
from organisations.services import association_update_settings
from tests.api import conftest as api_fixtures
from tests.api import test_isolation_route_table as route_table
from tests.api.test_isolation_route_table import ROUTES, fingerprint
from tests.factories import InstitutionFactory, log_entry
from tests.workload.test_exports import pdf_text
from workload import exports, selectors
from workload.models import Job
from workload.services import job_create, rollups_sweep_dirty
from workload.statements import statement_key
from workload.tasks import run_export_job_task

# The route table's fixtures, used here as they are.
world = api_fixtures.world
scene = route_table.scene

PERIOD = selectors.Period("2025-01", "2025-12")
PERIOD_DAY = dt.date(2025, 3, 20)  # in the month of the scene's entries
# A route is an export when its name or path says so. The admin is left out: staff only, and
# walked as a page by the route table's test.
EXPORT_WORDS = re.compile(r"export|download|csv|xlsx|pdf|json|statement|receipt")
EXPORT_ROUTES = [
    r
    for r in ROUTES
    if EXPORT_WORDS.search(f"{r.name} {r.template}") and not r.template.startswith("admin/")
]
# Read by anyone, no account needed: the same file for every caller.
PUBLIC_PREFIXES = ("open-data/",)
FORMATS = (None, "csv", "xlsx", "pdf", "json")


def _statement_keys(world, side):
    association = getattr(world, side).association
    return [
        statement_key(s)
        for s in selectors.statements_for_association(association=association, period=PERIOD)
    ]


def _release_versions(world, side):
    return [world.release.version]


# Values of URL parameters that are not one of mine's (or other's) objects, by route name.
URL_PARAMETERS = {
    "workload:statement": {"key": _statement_keys},
    "evidence:release": {"version": _release_versions},
    "evidence:release-json": {"version": _release_versions},
    "evidence:release-csv": {"version": _release_versions},
    "evidence:release-csv-be": {"version": _release_versions},
    "mandates:pdf": {"pk": lambda w, side: [getattr(w, side).mandate.pk]},
    "mandates:receipt": {"pk": lambda w, side: [getattr(w, side).mandate.pk]},
}

# What a caller of another association puts in each query parameter that a view reads: mine's
# objects wherever a parameter can name one. A view that reads a parameter missing here fails
# test_every_query_parameter_a_view_reads_is_tried.
QUERY_VALUES = {
    "entry": lambda w: w.mine.entry.pk,
    "person": lambda w: w.mine.person.pk,
    "incident": lambda w: w.mine.incident.pk,
    "institution": lambda w: w.cpas.pk,
    "job": lambda w: getattr(w.mine, "jobs", [w.mine.job])[0].pk,  # an export's, if any
    "association": lambda w: w.mine.association.pk,
    "statement": lambda w: _statement_keys(w, "mine")[0],
    "key": lambda w: _statement_keys(w, "mine")[0],
    "q": lambda w: w.mine.person.code,
    "from": lambda w: PERIOD.start,
    "to": lambda w: PERIOD.end,
    "group_by": lambda w: "responsible_institution",
    "format": lambda w: "csv",
    "lang": lambda w: "en",
    "language": lambda w: "en",
    "page": lambda w: "1",
    "action": lambda w: "export",
    "object": lambda w: "person",
    "next": lambda w: "/",
    # A reference amount (read by the settings page through REFERENCE_FIELDS, out of the
    # scan's sight): a valid row, which must never land in mine's table.
    "situation": lambda w: "stolen",
    "monthly_eur": lambda w: "1,00",
    "source_name": lambda w: "stolen",
    "source_url": lambda w: "https://example.org/",
    "valid_from": lambda w: "2025-01-01",
    "person_code": lambda w: w.mine.person.code,
    "procedure_domain": lambda w: "tax",
    "occurred_on": lambda w: "2025-06-01",
    "scope": lambda w: "tax",
}


def _project_sources():
    base = Path(settings.BASE_DIR).resolve()
    for app in apps.get_app_configs():
        folder = Path(app.path).resolve()
        if base not in folder.parents or ".venv" in folder.parts:
            continue
        for path in folder.rglob("*.py"):
            if "migrations" not in path.parts:
                yield path, path.read_text(encoding="utf-8")


_BY_NAME = r"""\s*(?:\.get\(|\.getlist\(|\[)\s*["']([\w-]+)["']"""


def parameters_read_by_views(source=r"GET|query_params") -> set[str]:
    """The request parameters the project's own code reads by name, found in its source."""
    reads = re.compile(rf"request\.(?:{source}){_BY_NAME}")
    return {name for _path, text in _project_sources() for name in reads.findall(text)}


def queries_read_whole() -> list[str]:
    """Places that hand the whole query string on (`SomeForm(request.GET)`): the names it is
    read by are then out of this scan's sight."""
    whole = re.compile(rf"request\.GET\b(?!{_BY_NAME})")
    return [
        f"{path.name}:{text.count(chr(10), 0, match.start()) + 1}"
        for path, text in _project_sources()
        for match in whole.finditer(text)
    ]


def query_naming_mine(world, **overrides) -> dict:
    query = {name: value(world) for name, value in QUERY_VALUES.items()}
    query.update(overrides)
    return {name: value for name, value in query.items() if value is not None}


def test_every_query_parameter_a_view_reads_is_tried():
    read = parameters_read_by_views()
    assert {"entry", "from", "format"} <= read  # the scan finds what is known to be read
    missing = read - set(QUERY_VALUES)
    assert not queries_read_whole(), (
        f"{queries_read_whole()} read the query string as a whole: add its fields to "
        "QUERY_VALUES and its names to this scan."
    )
    assert not missing, (
        f"Views read ?{', ?'.join(sorted(missing))}: say in QUERY_VALUES what a caller of "
        "another association would put there."
    )


def test_the_walker_finds_every_known_export():
    names = {r.name for r in EXPORT_ROUTES}
    assert {
        "api:person-export",
        "api:workload-statements",
        "workload:monthly-download",
        "workload:statements",
        "workload:statement",
        "workload:export-create",
        "workload:job-download",
        "evidence:release-json",
        "evidence:release-csv",
        "cases:entry_receipt",
    } <= names


def test_an_export_whose_parameters_are_unknown_fails_the_walker(scene):
    stray = route_table.Route(
        "people/%(code)s/export.pdf", (("code", "str"),), "cases:stray-export", object()
    )
    assert EXPORT_WORDS.search(stray.template)
    with pytest.raises(AssertionError, match="not covered"):
        url_values(stray, scene, "mine")


# --- Markers: what of mine no answer to `other` may hold ---------------------------------------


def _word(marker: str) -> re.Pattern:
    # Figures must not match inside longer numbers (462 in 1462, or in 4.62).
    return re.compile(rf"(?<![\w.,]){re.escape(marker)}(?![\w]|[.,]\d)")


def find_markers(text: str, markers) -> list[str]:
    return [m for m in markers if _word(m).search(text)]


def answer_text(response, typed=()) -> str:
    """What the caller got, decoded as they would read it: CSV, XLSX, PDF, JSON or HTML.

    A page gives back what the caller typed (a search box keeps `?q=`, a refused form keeps
    its fields): those echoes of the caller's own `typed` values are left out."""
    if getattr(response, "streaming", False):
        # Reading it to the end closes it (the test client's wrapper); closing it again would
        # send request_finished outside the client and close the test's database connection.
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content.startswith(b"%PDF"):
        text = pdf_text(content)
    elif content.startswith(b"PK"):  # an XLSX workbook is a zip
        book = load_workbook(io.BytesIO(content), read_only=True)
        text = "\n".join(
            "\t".join("" if value is None else str(value) for value in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    else:
        text = content.decode("utf-8-sig", "replace")
        if response.get("Content-Type", "").startswith("text/csv"):
            # Cells apart by tabs: a comma between figures would read as a decimal comma.
            text = "\n".join("\t".join(row) for row in csv.reader(io.StringIO(text)))
        elif response.get("Content-Type", "").startswith("application/json"):
            # Non-ASCII markers are escaped in JSON: read the values.
            text = json.dumps(json.loads(text), ensure_ascii=False)
        # A page may link back to itself (the language switcher): the caller's own query
        # string, not mine's data.
        asked = response.wsgi_request.get_full_path()
        text = text.replace(escape(asked), "").replace(asked, "")
        for value in map(str, typed):
            # In a form field, or in a link (the next page of a list).
            text = text.replace(f'value="{escape(value)}"', "")
            text = re.sub(
                rf"=(?:{re.escape(quote_plus(value))}|{re.escape(quote(value))})\b", "=", text
            )
    # PDF text breaks lines anywhere: compare with whitespace folded.
    return " ".join(f"{response.get('Content-Disposition', '')} {text}".split())


def _figure(value) -> list[str]:
    text = str(value)
    return [text, text.replace(".", ",")] if "." in text else [text]


def finished_export_job(association, export, fmt) -> Job:
    params = {"export": export, "format": fmt, "from": PERIOD.start, "to": PERIOD.end}
    params["group_by"] = "responsible_institution" if export == "monthly" else None
    job = job_create(
        kind=Job.Kind.EXPORT, association=association, params=exports.export_params_check(params)
    )
    run_export_job_task.run(job.pk)  # the task's body, in this process
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED, job.result
    return job


@pytest.fixture
def exports_scene(scene, settings, tmp_path):
    """The route table's scene, with figures of mine that stand out, export jobs on both sides
    with their files, and a published open-data release."""
    settings.MEDIA_ROOT = tmp_path
    mine, other = scene.mine, scene.other
    # Revoked mandates on both sides: each has a form and a revocation receipt to print.
    other.mandate = mandate_services.mandate_create(
        association=other.association,
        person=other.person.pk,
        scopes=["tax"],
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
        form="paper",
    )
    for side in (mine, other):
        mandate_services.mandate_revoke(mandate=side.mandate, revoked_on=dt.date(2025, 6, 1))
    # Mine's own body, hourly cost and a long transferred entry: figures that `other` lacks.
    body = InstitutionFactory(name="Organisme témoin de mine", kind="pub_reg")
    association_update_settings(association=mine.association, hourly_cost_eur=Decimal("83.17"))
    mine.extra_entry = log_entry(
        mine.association,
        occurred_on=PERIOD_DAY,
        duration_minutes=437,
        responsible_kind="pub_reg",
        responsible_institution=body,
        barriers=["itsme"],
        notes="notes of mine",
    )
    # Other's own dossier, for its director to download and read.
    other.named_sheet = incident_sheet_create(
        association=other.association,
        occurred_on=PERIOD_DAY,
        title="their sheet naming a body",
        narrative="A narrative.",
        responsible_institution=scene.cpas,
    )
    other.dossier = dossier_create(
        association=other.association,
        institution=scene.cpas,
        period_from=PERIOD.start,
        period_to=PERIOD.end,
        sheets=[other.named_sheet],
        title="their dossier",
    )
    rollups_sweep_dirty()
    # Other's jobs: one file of each kind and format, to read; mine's: one file to ask for.
    other.jobs = [
        finished_export_job(other.association, export, fmt)
        for export, fmt in itertools.product(("monthly", "statements", "log"), exports.FORMATS)
        if not (export == "log" and fmt == "pdf")
    ]
    mine.jobs = [finished_export_job(mine.association, "statements", "csv")]
    scene.release = release_publish(scene.federation, PERIOD)

    rows = selectors.monthly_table_for_association(association=mine.association, period=PERIOD)
    statement = next(
        s
        for s in selectors.statements_for_association(association=mine.association, period=PERIOD)
        if s["institution"] and s["institution"]["id"] == body.pk
    )
    figures = [
        *_figure(sum(r["minutes"] for r in rows)),
        *_figure(statement["transferred_minutes"]),
        *_figure(statement["transferred_value_eur"]),
        *_figure(sum(Decimal(r["transferred_value_eur"]) for r in rows)),
        *_figure(mine.association.hourly_cost_eur),
    ]
    theirs = selectors.monthly_table_for_association(association=other.association, period=PERIOD)
    their_figures = {str(r[name]) for r in theirs for name in r}
    assert not set(figures) & their_figures, "mine's figures must tell mine apart"
    scene.export_markers = [
        *scene.association_markers,
        mine.association.name,
        body.name,
        *figures,
    ]
    return scene


def object_ids(world, side) -> list[int]:
    """Every id of one side's objects a URL could name: persons, entries, incidents, jobs."""
    made = getattr(world, side)
    objects = [made.person, made.entry, made.incident, made.complaint, *getattr(made, "jobs", [])]
    objects += [o for o in (getattr(made, "dossier", None),) if o is not None]
    if side == "mine":
        objects += [
            world.mine.job,
            getattr(made, "extra_entry", made.entry),
            world.mine.named_sheet,
            world.mine.dossier,
        ]
    return sorted({o.pk for o in objects})


def url_values(route, world, side) -> list[dict]:
    """Every way to fill the route's URL with one side's values."""
    choices = []
    for name, converter in route.params:
        given = URL_PARAMETERS.get(route.name, {}).get(name)
        if given is not None:
            values = given(world, side)
        elif converter in ("int", "regex"):
            values = object_ids(world, side)
        elif "federation" in name:
            values = [world.federation.slug]
        else:
            raise AssertionError(
                f"The export {route.name} ({route.template}) is not covered: say in "
                f"URL_PARAMETERS which of mine's values its parameter {name!r} takes."
            )
        choices.append([(name, value) for value in values])
    return [dict(combination) for combination in itertools.product(*choices)]


def web_browser(user) -> Client:
    browser = Client(raise_request_exception=False)
    browser.force_login(user)
    return browser


def _callers(world):
    """(name, web browser, API client, markers) for each caller who is not of mine."""
    callers = []
    for who in ("other_worker", "other_director", "analyst"):
        api = getattr(world, who)
        # An analyst sees the federation's members by name, never their rows.
        markers = world.markers if who == "analyst" else world.association_markers
        callers.append((who, web_browser(api.user), api, markers))
    return callers


def refused(response) -> bool:
    """Not found, forbidden, a form error, or sent to log in."""
    if response.status_code == 302:
        return response["Location"].startswith((settings.LOGIN_URL, "/admin/login/"))
    return response.status_code in (400, 401, 403, 404)


def _variants():
    """(format, group_by) of the query: every format, grouped (institution names and figures
    per body), and the plain table once."""
    return [*((fmt, "responsible_institution") for fmt in FORMATS), ("csv", None)]


VARIANTS = _variants()
# The director may export everything: every variant. The other callers get the page and the
# CSV (PDFs are slow to make, and the worker's file is the director's).
LIGHT_VARIANTS = VARIANTS[:2]


def test_no_export_gives_a_caller_of_another_association_anything_of_mine(exports_scene):
    world = exports_scene
    callers = [*_callers(world), ("anonymous", Client(raise_request_exception=False), None, [])]
    director, *others = sorted(callers, key=lambda caller: caller[0] != "other_director")
    problems, files, offers_get = [], dict.fromkeys([r.template for r in EXPORT_ROUTES], 0), set()
    before = (fingerprint(world), links_to_mine(world))

    def check(route, caller, url, fmt, group_by, names_mine) -> int:
        who, browser, api, markers = caller
        public = route.template.startswith(PUBLIC_PREFIXES)
        client = (api or browser) if route.is_api else browser
        # Mine's ids in the query string too, whoever's object the URL names.
        response = client.get(url, query_naming_mine(world, format=fmt, group_by=group_by))
        status = response.status_code
        context = f"{who} GET {url}?format={fmt}&group_by={group_by}&<mine's ids> -> {status}"
        if status >= 500:
            problems.append(context)
        elif status != 405:  # a route that offers no GET is walked by the page posts below
            offers_get.add(route.template)
            if names_mine and not refused(response):
                problems.append(f"{context}: the URL names mine's object")
            if who == "anonymous" and not public and status == 200:
                problems.append(f"{context}: answered without an account")
        if status != 200:
            return status
        # An analyst or the public may see the federation's aggregates (mine's share of them
        # included, and the bodies of suppressed cells), never a row, a person or mine's name.
        if public:
            wanted = [*world.association_markers, world.mine.association.name]
        else:
            wanted = markers if who == "analyst" else world.export_markers
        found = find_markers(answer_text(response), wanted)
        if found:
            problems.append(f"{context}: the answer shows {found} of mine")
        elif who != "anonymous" or public:
            files[route.template] += 1
        return status

    for route in EXPORT_ROUTES:
        mine = {tuple(sorted(v.items())) for v in url_values(route, world, "mine")}
        theirs = {tuple(sorted(v.items())) for v in url_values(route, world, "other")}
        for values in sorted(mine | theirs):
            url = route.url(**dict(values))
            # Mine's object in the URL (and not one of theirs with the same id): refused.
            names_mine = values in mine - theirs
            # Their own objects of another kind (a person's id on a job route): a 404 is enough.
            first = check(route, director, url, *VARIANTS[0], names_mine)
            if first == 404 and not names_mine:
                continue
            for fmt, group_by in VARIANTS[1:]:
                check(route, director, url, fmt, group_by, names_mine)
            for caller, (fmt, group_by) in itertools.product(others, LIGHT_VARIANTS):
                check(route, caller, url, fmt, group_by, names_mine)

    assert not problems, "\n".join(problems)
    # A route that offers no GET (405) answers posts only: the page posts walk it.
    uncovered = [t for t, count in files.items() if not count and t in offers_get]
    assert not uncovered, (
        f"No caller got a file from {uncovered}, so none of its content was inspected: say in "
        "URL_PARAMETERS how a caller of `other` reaches their own export."
    )
    assert (fingerprint(world), links_to_mine(world)) == before


# --- Pages: mine's ids in the query string ----------------------------------------------------


def page_targets(route, world) -> list[str]:
    """The route's URL with each of mine's ids where it takes an object (the route table's
    own filling of the other parameters)."""
    url = route_table.page_url(route, world)
    if "%(id)s" not in url:
        return [url]
    # A route that names one kind of object gets mine's object of that kind: on PostgreSQL
    # ids are not reset between tests, and mine's entry id may well be another association's
    # person id, which that association may rightly open.
    for word, kind in ROUTE_OBJECT_KINDS:
        if word in route.name:
            return [url % {"id": getattr(world.mine, kind).pk}]
    return [url % {"id": pk} for pk in object_ids(world, "mine")]


ROUTE_OBJECT_KINDS = (
    ("reference_amount", "reference_amount"),
    ("dossier_", "dossier"),
    ("person", "person"),
    ("entr", "entry"),
    ("incident", "incident"),
    ("job", "job"),
    ("attempt", "attempt"),
    ("mandates:print", "mandate"),
    ("mandates:pdf", "mandate"),
    ("mandates:revoke", "mandate"),
    ("mandates:receipt", "mandate"),
)


# Ids and values that name nothing, or nothing sensible: still an answer, never a 500.
# PostgreSQL cannot hold a NUL in text: a view that hands one on to a query answers 500.
NONSENSE = ("99999999999999999999", "-1", "x'\"<b>", "a\x00b")


def test_no_page_reads_mine_from_its_query_string(scene):
    queries = [query_naming_mine(scene)]
    queries += [dict.fromkeys(QUERY_VALUES, value) for value in NONSENSE]
    problems, before = [], (fingerprint(scene), links_to_mine(scene))
    for route, (who, browser, _api, markers), query in itertools.product(
        route_table.PAGE_ROUTES, _callers(scene), queries
    ):
        targets = page_targets(route, scene)
        if "%(id)s" in route_table.page_url(route, scene) and query is not queries[0]:
            targets = [route_table.page_url(route, scene) % {"id": NONSENSE[0]}]
        for url in targets:
            response = browser.get(url, query)
            context = f"{who} GET {url}?<mine's ids> -> {response.status_code}"
            if response.status_code >= 500:
                problems.append(context)
            elif found := find_markers(answer_text(response, query.values()), markers):
                problems.append(f"{context}: the answer shows {found} of mine")
    assert not problems, "\n".join(problems)
    assert (fingerprint(scene), links_to_mine(scene)) == before


def _api_filters(route) -> set[str]:
    filterset = getattr(route.view_class, "filterset_class", None)
    return set(filterset.base_filters) if filterset else set()


def test_no_api_list_filters_mine_in(scene):
    """The API's lists, filtered by mine's person (and every name a view reads): still theirs."""
    lists = [r for r in route_table.API_ROUTES if not r.params and route_table.classify(r)]
    problems = []
    for route, (who, _browser, api, markers) in itertools.product(lists, _callers(scene)):
        if "GET" not in (route_table.allowed_methods(route.view) or {"GET"}):
            continue
        query = query_naming_mine(scene)
        query.update({name: query[name] for name in _api_filters(route) if name in query})
        response = api.get(route.url(), query)
        context = f"{who} GET {route.url()}?<mine's ids> -> {response.status_code}"
        if response.status_code >= 500:
            problems.append(context)
        elif found := find_markers(answer_text(response, query.values()), markers):
            problems.append(f"{context}: the answer shows {found} of mine")
        elif "person" in _api_filters(route) and response.status_code == 200:
            problems.append(f"{context}: mine's person accepted as a filter")
    assert not problems, "\n".join(problems)


# --- Pages: posts naming mine's objects -------------------------------------------------------

# What a caller of another association posts: a valid entry, incident sheet, export request and
# sharing choice, each naming mine's person, entry, incident, job or statement. A field that a
# view reads by name and is missing here fails test_every_form_field_a_view_reads_is_posted.
FORM_VALUES = {
    "occurred_on": lambda w: "2025-03-14",
    "duration_minutes": lambda w: "30",
    "channel": lambda w: "on_site",
    "procedure_domain": lambda w: "tax.pit_return",
    "referrer_kind": lambda w: "cpas",
    "responsible_kind": lambda w: "pub_fed",
    "barriers": lambda w: ["itsme"],
    "shown_barriers": lambda w: ["itsme", "cost"],
    "mode": lambda w: "do_for",
    "outcome": lambda w: "resolved",
    "consent": lambda w: "oral",
    "file_kind": lambda w: "attempts",
    "person_code": lambda w: w.mine.person.code,
    "code": lambda w: w.mine.person.code,
    "title": lambda w: "stolen",
    "narrative": lambda w: "A narrative naming nobody.",
    "entries": lambda w: [w.mine.entry.pk],
    "shared": lambda w: "on",
    "sheets": lambda w: [w.mine.named_sheet.pk],
    "sent_on": lambda w: "2025-04-01",
    "replied_on": lambda w: "2025-04-02",
    "reply": lambda w: "A reply.",
    "fixed": lambda w: "yes",
    "name_shown_on_shared_sheets": lambda w: "on",
    "export": lambda w: "log",
    "statement": lambda w: QUERY_VALUES["statement"](w),
    "federation": lambda w: w.federation.slug,
    "shares": lambda w: "no",
    "hourly_cost_eur": lambda w: "1",
    "retention_years": lambda w: "1",
    "confirm": lambda w: "yes",
    "token": lambda w: "123456",
    "text": lambda w: "Nothing to scan.",
    # A person search (posted so that the code stays out of URLs) for mine's person.
    "q": lambda w: w.mine.person.code,
    "page": lambda w: "1",
    "language": lambda w: "nl",
    "next": lambda w: "/",
    # A reference amount (read by the settings page through REFERENCE_FIELDS, out of the
    # scan's sight): a valid row, which must never land in mine's table.
    "situation": lambda w: "stolen",
    "monthly_eur": lambda w: "1,00",
    "source_name": lambda w: "stolen",
    "source_url": lambda w: "https://example.org/",
    "valid_from": lambda w: "2025-01-01",
    **{
        name: QUERY_VALUES[name]
        for name in (
            "entry",
            "person",
            "incident",
            "institution",
            "job",
            "association",
            "from",
            "to",
            "format",
        )
    },
}


def test_every_form_field_a_view_reads_is_posted():
    read = parameters_read_by_views("POST|data")
    assert {"federation", "confirm", "text"} <= read  # the scan finds what is known to be read
    missing = read - set(FORM_VALUES)
    assert not missing, (
        f"Views read the posted {', '.join(sorted(missing))}: say in FORM_VALUES what a "
        "caller of another association would post there."
    )


def links_to_mine(world):
    """Rows of any association that point at mine's: an entry of mine's person, an incident
    sheet linking mine's entry, an audit event in mine's trail or about mine's person (a read
    recorded before the lookup failed would say that a stranger got that far)."""
    association = world.mine.association
    return (
        sorted(
            AuditEvent.objects.filter(
                Q(association=association) | Q(person_id__in=[world.mine.person.pk])
            ).values_list("pk", flat=True)
        ),
        sorted(
            AssistanceRequest.objects.filter(person__association=association).values_list(
                "pk", "association_id"
            )
        ),
        sorted(
            IncidentSheet.entries.through.objects.filter(
                assistancerequest__association=association
            ).values_list()
        ),
    )


def _own_person_codes(user) -> set[str]:
    """Codes of the caller's own association's persons. Codes are per association: a walk
    that posts mine's code in an entry form creates the caller's own person with that code,
    which their persons page and lookup then rightly list."""
    seat = seat_for_user(user) if user is not None else None
    if seat is None or seat.association is None:
        return set()
    return set(Person.objects.filter(association=seat.association).values_list("code", flat=True))


def test_no_page_post_of_another_association_changes_mine(scene):
    form = {name: value(scene) for name, value in FORM_VALUES.items()}
    # Mine's person code is theirs to type too (codes are per association): a refused form
    # that keeps it shows the caller's input, not mine's data (answer_text leaves it out).
    typed = [v for v in form.values() if isinstance(v, str)] + list(NONSENSE)
    before = (fingerprint(scene), links_to_mine(scene))
    problems = []
    forms = [form, *(dict.fromkeys(FORM_VALUES, value) for value in NONSENSE)]
    for route, (who, browser, api, markers), posted in itertools.product(
        route_table.PAGE_ROUTES, _callers(scene), forms
    ):
        for url in page_targets(route, scene):
            response = browser.post(url, posted)
            status = response.status_code
            context = (
                f"{who} POST {url} {'<naming mine>' if posted is form else posted} -> {status}"
            )
            if status >= 500:
                problems.append(context)
                continue
            names_mine = "%(id)s" in route_table.page_url(route, scene)
            if names_mine and status != 405 and not refused(response):
                problems.append(f"{context}: the URL names mine's object")
            shown = [m for m in markers if m not in _own_person_codes(api.user)]
            if found := find_markers(answer_text(response, typed), shown):
                problems.append(f"{context}: the answer shows {found} of mine")
            if "_auth_user_id" not in browser.session:  # the post logged them out
                browser.force_login(api.user)
    assert not problems, "\n".join(problems)
    assert (fingerprint(scene), links_to_mine(scene)) == before, "a post changed mine"
