"""The director's dashboard and statement pages: the figures of the rollups, charts with their
tables beside them, labels in the reader's language, and nothing about a person or a worker."""

import datetime as dt
import re

import pytest
from django.test import Client

from cases.services import assistance_request_create
from organisations.services import federation_create_or_update
from taxonomy import get_taxonomy
from workload import views

from .reports_data import COMMON, HOSTILE_NAME, reports_fixture, web_client  # noqa: F401

PERIOD = "from=2026-09&to=2026-10"


def figure(page: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', page)
    assert match, name
    return match.group(1).strip()


def test_the_headline_figures_are_those_of_the_rollups(reports):
    director = web_client("mine", "dir@mine.be", "director")

    page = director.get(f"/workload/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # 155 minutes logged, 135 of them transferred (60 + 30 + 45), worth 90 € at 40 €/h.
    assert figure(page, "hours") == "2:35"
    assert figure(page, "transferred_hours") == "2:15"
    assert figure(page, "transferred_value_eur") == "€90.00"
    assert figure(page, "do_for_share") == "50.0%"
    assert figure(page, "non_take_up") == "1"
    assert figure(page, "once_only_violations") == "1"


def test_the_dashboard_shows_the_last_twelve_months_by_default(reports, monkeypatch):
    monkeypatch.setattr(views.timezone, "localdate", lambda: dt.date(2026, 11, 28))
    director = web_client("mine", "dir@mine.be", "director")

    page = director.get("/workload/").content.decode()

    assert 'name="from" value="2025-12"' in page and 'name="to" value="2026-11"' in page
    assert page.count('<th scope="row">2026-') >= 11


def test_each_chart_is_an_svg_with_a_title_and_a_table_of_the_same_figures(reports):
    director = web_client("mine", "dir@mine.be", "director")

    page = director.get(f"/workload/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # Drawn by the server, nothing loaded from another host (a CDN, a chart library).
    assert "<script" not in page
    assert re.search(r'(src|href)="(https?:)?//', page) is None
    # No right was lost in this log: that section says so, without a chart.
    assert page.count("<svg") == 6
    assert page.count('role="img"') == 6 and page.count("<title>") >= 7
    for heading in ("months", "owed", "institutions", "barriers", "referrers", "outcomes"):
        assert f'aria-labelledby="{heading}"' in page
    assert "Banque Exemple" in page
    # The hostile name is shown as text, escaped, in the chart and in the table.
    assert HOSTILE_NAME not in page and "=HYPERLINK(&quot;http" in page


def test_labels_come_from_the_taxonomy_in_the_readers_language(reports):
    director = web_client("mine", "dir@mine.be", "director")
    taxonomy = get_taxonomy()

    dutch = director.get(f"/workload/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    french = director.get(f"/workload/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert taxonomy.label("digital_barriers", "itsme", "nl") in dutch
    assert taxonomy.label("outcomes", "abandoned", "nl") in dutch
    assert "Overgedragen uren" in dutch
    assert taxonomy.label("referrer_types", "self", "fr") in french
    assert "Heures transférées" in french


def test_a_bad_period_names_the_field_in_the_users_language_and_is_not_a_500(reports):
    director = web_client("mine", "dir@mine.be", "director")

    response = director.get("/workload/?from=2026-13&to=2026-01", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 400
    page = response.content.decode()
    assert "<strong>from</strong>" in page and "AAAA-MM" in page
    reversed_period = director.get("/workload/?from=2026-10&to=2026-01")
    assert reversed_period.status_code == 400


def test_a_worker_sees_the_figures_read_only_with_their_own_total_and_no_ranking(reports):
    worker = web_client("mine", "w@mine.be", "worker")
    colleague = web_client("mine", "c@mine.be", "worker")
    from organisations.models import User

    me = User.objects.get(email="w@mine.be")
    assistance_request_create(
        association=reports["mine"],
        actor=me,
        occurred_on=dt.date(2026, 10, 20),
        duration_minutes=25,
        procedure_domain="tax",
        referrer_kind="self",
        responsible_kind="pub_fed",
        barriers=["itsme"],
        mode="do_with",
        **COMMON,
    )

    page = worker.get(f"/workload/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "read-only" in page
    assert "Your own entries in the period: 1 entry, 0:25 hours." in page
    assert 'name="export" value="log"' not in page  # the log export is for directors
    for email in ("w@mine.be", "c@mine.be", "dir@mine.be"):
        assert email not in page
    assert colleague.get(f"/workload/?{PERIOD}").status_code == 200


def test_figures_of_another_association_never_show(reports):
    director = web_client("other", "dir@other.be", "director")

    page = director.get(f"/workload/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert figure(page, "hours") == "16:39"  # their 999 minutes only
    assert "Banque Exemple" not in page


def test_a_visitor_is_sent_to_log_in_and_an_analyst_gets_403(reports):
    federation_create_or_update(slug="fed", name="Fed")

    anonymous = Client().get("/workload/")
    analyst = web_client("fed", "an@fed.be", "analyst").get("/workload/")

    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert analyst.status_code == 403


def test_the_statement_page_explains_the_value_and_never_names_a_person(reports):
    director = web_client("mine", "dir@mine.be", "director")
    key = f"institution-{reports['hostile'].pk}"

    page = director.get(f"/workload/statements/{key}/?{PERIOD}&lang=en").content.decode()

    assert figure(page, "transferred_requests") == "2"
    assert figure(page, "transferred_hours") == "1:45"
    assert figure(page, "transferred_value_eur") == "€70.00"
    assert "105 minutes ÷ 60 × €40.00 per hour = €70.00" in page
    assert "Month by month" in page and "2026-09" in page
    assert "0470" not in page and "P-" not in page


def test_the_statement_list_links_each_body_to_its_statement(reports):
    director = web_client("mine", "dir@mine.be", "director")

    page = director.get(f"/workload/statements/?{PERIOD}").content.decode()

    assert f"/workload/statements/institution-{reports['hostile'].pk}/" in page
    assert f"/workload/statements/institution-{reports['bank'].pk}/" in page


def test_a_body_without_transferred_work_has_no_statement(reports):
    director = web_client("mine", "dir@mine.be", "director")

    assert director.get(f"/workload/statements/kind-school/?{PERIOD}").status_code == 404
    assert director.get(f"/workload/statements/institution-0/?{PERIOD}").status_code == 404


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_statement_page_renders_in_each_language(reports, language):
    director = web_client("mine", "dir@mine.be", "director")
    key = f"institution-{reports['bank'].pk}"

    response = director.get(f"/workload/statements/{key}/?{PERIOD}&lang={language}")

    assert response.status_code == 200
    assert get_taxonomy().label("digital_barriers", "itsme", language) in response.content.decode()
