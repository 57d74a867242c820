"""The default demo has figures worth showing (docs/demo-data.md): on every director's
dashboard the transferred share moves from month to month and stays well away from 0 and
100 %, the federation's tables suppress some cells, and each association has statements to
hand to several institutions.

The demo is seeded as `make run` seeds it (no option), on a day that makes its year twelve
whole months: the month of the day the demo is seeded holds only a few days' entries.
"""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from organisations.models import User
from workload.services import rollups_sweep_dirty

pytestmark = pytest.mark.django_db

# The demo then covers December 2025 to November 2026, which is also the dashboard's default.
SEEDED_ON = dt.date(2026, 11, 30)
MONTHS = ["2025-12", *(f"2026-{month:02d}" for month in range(1, 12))]
DEMO_SHORT_NAMES = ["anderlecht", "schaerbeek", "molenbeek", "saint-gilles"]

MONTH_ROW = re.compile(
    r'<tr><th scope="row">(\d{4}-\d{2})</th><td class="n">([\d,]+)</td>'
    r'<td class="n">[\d,]+:\d\d</td><td class="n">[\d,]+:\d\d</td><td class="n">([\d.]+)%</td>'
)
SUPPRESSED_ROW = re.compile(
    r'<tr class="suppressed" data-suppressed="true"><th scope="row">(\d{4}-\d{2})</th>'
    r"<td>([^<]*)</td>"
)
# The federation's month table: entries, hours, transferred hours, transferred share (%).
FEDERATION_MONTH_ROW = re.compile(
    r'<tr><th scope="row">(\d{4}-\d{2})</th>(?:<td class="n">[\d,:]+</td>){3}'
    r'<td class="n">([\d.]+)%</td>'
)


@pytest.fixture
def default_demo(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: SEEDED_ON)
    call_command("seed_demo", no_logins=True, stdout=io.StringIO())
    # The figures are recomputed after the commit, which a test's transaction never reaches.
    rollups_sweep_dirty()


def logged_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def monthly_shares(page: str) -> dict[str, float]:
    """{month: transferred share in %} as the dashboard's month table shows it."""
    return {month: float(percent) for month, _entries, percent in MONTH_ROW.findall(page)}


def test_every_month_of_every_dashboard_shows_a_share_between_20_and_80_percent(default_demo):
    for short_name in DEMO_SHORT_NAMES:
        director = logged_in(f"director.{short_name}@demo.be")

        page = director.get("/workload/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

        shares = monthly_shares(page)
        assert list(shares) == MONTHS, short_name
        assert all(20 <= share <= 80 for share in shares.values()), (short_name, shares)
        # The months differ: the figures are not one constant drawn twelve times.
        assert max(shares.values()) - min(shares.values()) >= 8, (short_name, shares)
        assert len(set(shares.values())) >= 10, (short_name, shares)


def test_the_seasons_show_in_the_federations_transferred_share(default_demo):
    analyst = logged_in("analyst@demo.be")

    page = analyst.get(
        "/federation/?from=2025-12&to=2026-11", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    shares = dict(FEDERATION_MONTH_ROW.findall(page))
    assert list(shares) == MONTHS
    # Tax returns in June are transferred work; in August the association's own summer
    # activities and enrolments for its courses take a larger part.
    assert float(shares["2026-06"]) > float(shares["2026-08"]) + 10  # percentage points


def test_the_federation_suppresses_cells_of_its_breakdowns_not_its_months(default_demo):
    analyst = logged_in("analyst@demo.be")

    months = analyst.get("/federation/?from=2025-12&to=2026-11").content.decode()
    outcomes = analyst.get("/federation/?from=2025-12&to=2026-11&group_by=outcome").content.decode()

    assert months.count('data-suppressed="true"') == 0
    # Rare outcomes (partial, impossible) in a month are logged fewer than k = 5 times or by
    # fewer than 3 associations.
    assert outcomes.count('data-suppressed="true"') >= 1


def test_the_small_associations_own_commune_is_suppressed_in_the_federation(default_demo):
    analyst = logged_in("analyst@demo.be")

    page = analyst.get(
        "/federation/?from=2025-12&to=2026-11&group_by=responsible_institution",
        HTTP_ACCEPT_LANGUAGE="fr",
    ).content.decode()

    # Saint-Gilles, small and open three days a week, is nearly the only one to help with its
    # commune's procedures: a few entries a month, from one association.
    suppressed = {
        month
        for month, label in SUPPRESSED_ROW.findall(page)
        if label.startswith("Commune de Saint-Gilles")
    }
    assert len(suppressed) >= 6, suppressed


def test_each_association_has_statements_for_at_least_five_institutions(default_demo):
    for short_name in DEMO_SHORT_NAMES:
        director = logged_in(f"director.{short_name}@demo.be")

        page = director.get("/workload/statements/").content.decode()

        institutions = set(re.findall(r"/workload/statements/institution-(\d+)/", page))
        assert len(institutions) >= 5, short_name


def test_the_demo_has_failed_attempts_and_rights_at_stake_on_a_minority_of_entries(
    default_demo,
):
    from attempts.models import ContactAttempt
    from cases.models import AssistanceRequest
    from workload.selectors import monthly_table_for_association, period_parse

    entries = AssistanceRequest.objects.count()
    at_stake = AssistanceRequest.objects.exclude(rights_impact__in=["none", "unknown"]).count()
    assert 0.05 * entries < at_stake < 0.5 * entries
    attempts = ContactAttempt.objects.all()
    assert attempts.exclude(result="answered").count() > attempts.filter(result="answered").count()
    assert attempts.values("institution_kind").distinct().count() >= 3
    # And the figures carry them: months with owed attempt minutes and rights lost in euros.
    association = attempts.first().association
    rows = monthly_table_for_association(
        association=association,
        period=period_parse(f"{SEEDED_ON.year - 1}-01", f"{SEEDED_ON:%Y-%m}"),
    )
    assert sum(row["owed_attempt_minutes"] for row in rows) > 0
    assert sum(row["rights_lost_value_eur"] for row in rows) > 0
