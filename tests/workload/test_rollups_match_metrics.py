"""The rollups hold exactly the figures of METRICS.md, computed here a second time, in plain
Python, from the log: for random logs with the rights ledger, contact attempts and persons'
mandates (created before and after the entries, revoked, expired), edits and deletes, for
every dimension and metric."""

import datetime as dt
import itertools
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attempts import services as attempt_services
from attempts.models import ContactAttempt
from cases import services as cases_services
from cases.models import AssistanceRequest, Person
from mandates import services as mandate_services
from mandates.models import Mandate
from organisations.services import association_create_or_update
from referrals.models import Institution
from taxonomy import get_taxonomy
from workload.models import DIMENSIONS, Rollup
from workload.selectors import monthly_table_for_association, period_parse
from workload.services import rollups_recompute, rollups_sweep_dirty

TAXONOMY = get_taxonomy()
KINDS = [
    "cpas",
    "bank",
    "union",
    "commune",
    "self",
    "entourage",
    "unknown",
    "association",
    "pub_fed",
]
PROCEDURES = ["tax", "tax.pit_return", "bank.app_auth", "ris.application", "civil.id_card"]
BARRIERS = ["once_only", "itsme", "app_only", "language"]
MODES = ["do_for", "do_with", "inform"]
OUTCOMES = [
    "resolved",
    "abandoned",
    "impossible",
    "rights_lost",
    "postponed_technical",
    "pending_inst",
]
FLAGS = ["pin", "password"]
MONTH_DAYS = [dt.date(2026, 1, 3), dt.date(2026, 2, 14), dt.date(2026, 3, 28)]
PERIOD = period_parse("2026-01", "2026-03")
_slugs = itertools.count()


def entry_fields():
    return st.fixed_dictionaries(
        {
            "occurred_on": st.sampled_from(MONTH_DAYS),
            "duration_minutes": st.integers(1, 1440),
            "channel": st.sampled_from(["on_site", "phone"]),
            "procedure_domain": st.sampled_from(PROCEDURES),
            "referrer": st.one_of(st.sampled_from(KINDS), st.integers(0, 3)),
            "responsible": st.one_of(st.sampled_from(KINDS), st.integers(0, 3)),
            "barriers": st.lists(st.sampled_from(BARRIERS), unique=True, max_size=3),
            "mode": st.sampled_from(MODES),
            "person": st.sampled_from([None, 0, 1]),
            "outcome": st.sampled_from(OUTCOMES),
            "sensitive_flags": st.lists(st.sampled_from(FLAGS), unique=True, max_size=2),
            "consent": st.sampled_from(["written", "oral", "none"]),
            "rights_impact": st.sampled_from(
                ["none", "delay", "temp_loss", "partial_loss", "total_loss", "extra_cost"]
            ),
            "right_months": st.integers(0, 120),
            "right_monthly_eur": st.decimals(
                min_value=0, max_value=10000, places=2, allow_nan=False, allow_infinity=False
            ),
            "extra_cost_eur": st.decimals(
                min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False
            ),
        }
    )


ROOTS = ["tax", "bank", "ris", "civil"]


def mandate_draws():
    return st.fixed_dictionaries(
        {
            "person": st.integers(0, 1),
            "scopes": st.lists(st.sampled_from(ROOTS), unique=True, min_size=1, max_size=3),
            "starts_on": st.sampled_from(
                [
                    dt.date(2025, 3, 1),
                    dt.date(2026, 1, 3),
                    dt.date(2026, 1, 20),
                    dt.date(2026, 2, 14),
                ]
            ),
            "days": st.sampled_from([0, 10, 41, 365]),
            "revoke_after": st.one_of(st.none(), st.sampled_from([0, 1, 30, 42])),
            "after_the_log": st.booleans(),
        }
    )


RESULTS = ["answered", "no_answer", "line_saturated", "counter_closed"]


def attempt_fields():
    return st.fixed_dictionaries(
        {
            "occurred_on": st.sampled_from(MONTH_DAYS),
            "responsible": st.one_of(st.sampled_from(KINDS), st.integers(0, 3)),
            "channel": st.sampled_from(["phone", "counter", "online_form"]),
            "result": st.sampled_from(RESULTS),
            "waited_minutes": st.integers(0, 600),
        }
    )


def as_attempt_fields(drawn, institutions):
    fields = dict(drawn)
    value = fields.pop("responsible")
    if isinstance(value, int):
        fields["institution"] = institutions[value]
        fields["institution_kind"] = "unknown"  # the institution's kind must win
    else:
        fields["institution_kind"] = value
    return fields


def as_service_fields(drawn, institutions, persons=()):
    fields = dict(drawn)
    person = fields.pop("person", None)
    fields["person"] = persons[person] if person is not None and persons else None
    for who, kind_field, institution_field in (
        ("referrer", "referrer_kind", "referred_by"),
        ("responsible", "responsible_kind", "responsible_institution"),
    ):
        value = fields.pop(who)
        if isinstance(value, int):
            fields[institution_field] = institutions[value]
            # A kind typed by hand that disagrees: the institution's kind must win.
            fields[kind_field] = "unknown"
        else:
            fields[kind_field] = value
            fields[institution_field] = None
    return fields


def _in_force(row, day):
    """METRICS.md: from starts_on to ends_on inclusive, and no longer from revoked_on on."""
    starts_on, ends_on, revoked_on = row
    return starts_on <= day <= ends_on and (revoked_on is None or day < revoked_on)


def expected_cells(association):
    """METRICS.md, from the log, without the database's help."""
    cells = defaultdict(lambda: defaultdict(int))
    mandates = defaultdict(list)  # (person id, top-level domain) -> terms
    for m in Mandate.objects.filter(association=association).prefetch_related("scopes"):
        for scope in m.scopes.all():
            mandates[(m.person_id, scope.code)].append((m.starts_on, m.ends_on, m.revoked_on))
    non_external = {"association", "self", "entourage", "unknown"}
    entries = AssistanceRequest.objects.filter(association=association).prefetch_related(
        "barriers", "sensitive_flags"
    )
    for e in entries:
        barriers = e.barrier_codes
        external = e.responsible_kind not in non_external
        digital = bool(barriers)
        transferred = external and digital
        if e.referred_by_id is not None and e.responsible_institution_id is not None:
            sent_by_body = e.referred_by_id == e.responsible_institution_id
        else:
            sent_by_body = e.referrer_kind == e.responsible_kind
        figures = {
            "requests": 1,
            "minutes": e.duration_minutes,
            "external_requests": int(external),
            "external_minutes": e.duration_minutes * external,
            "digital_requests": int(digital),
            "digital_minutes": e.duration_minutes * digital,
            "transferred_requests": int(transferred),
            "transferred_minutes": e.duration_minutes * transferred,
            "referred_transferred_requests": int(transferred and sent_by_body),
            "referred_transferred_minutes": e.duration_minutes * (transferred and sent_by_body),
            "do_for_requests": int(e.mode == "do_for"),
            "non_take_up": int(e.outcome in {"abandoned", "impossible", "rights_lost"}),
            "postponed_technical": int(e.outcome == "postponed_technical"),
            "once_only_violations": int("once_only" in barriers),
            "without_consent_do_for": int(e.mode == "do_for" and e.consent == "none"),
            "do_for_without_mandate": int(
                e.mode == "do_for"
                and not any(
                    _in_force(term, e.occurred_on)
                    for term in mandates[(e.person_id, e.procedure_domain.split(".")[0])]
                )
            ),
            "sensitive_handling": int(bool(e.sensitive_flag_codes)),
            "rights_at_risk": int(e.rights_impact != "none" and e.rights_impact != "unknown"),
            "rights_lost": int(e.rights_impact in {"partial_loss", "total_loss"}),
            "rights_delayed_value_eur": (
                e.right_months * e.right_monthly_eur
                if e.rights_impact in {"delay", "temp_loss"}
                else Decimal(0)
            ),
            "rights_lost_value_eur": (
                e.right_months * e.right_monthly_eur
                if e.rights_impact in {"partial_loss", "total_loss"}
                else Decimal(0)
            )
            + e.extra_cost_eur,
        }
        month = f"{e.occurred_on:%Y-%m}"
        groups = {
            "total": [None],
            "referrer_kind": [e.referrer_kind],
            "referred_by": [e.referred_by_id],
            "responsible_kind": [e.responsible_kind],
            "responsible_institution": [e.responsible_institution_id],
            "procedure_domain": [e.procedure_domain.split(".")[0]],
            "procedure": [e.procedure_domain],
            "barrier": barriers,
            "channel": [e.channel],
            "mode": [e.mode],
            "outcome": [e.outcome],
        }
        for dimension, keys in groups.items():
            for key in keys:
                cell = cells[(month, dimension, key)]
                for name, value in figures.items():
                    cell[name] += value
    for a in ContactAttempt.objects.filter(association=association):
        failed = a.result != "answered"
        owed = failed and a.institution_kind not in non_external
        figures = {
            "attempts": 1,
            "failed_attempts": int(failed),
            "owed_attempt_minutes": a.waited_minutes * owed,
        }
        month = f"{a.occurred_on:%Y-%m}"
        groups = {
            "total": None,
            "responsible_kind": a.institution_kind,
            "responsible_institution": a.institution_id,
        }
        for dimension, key in groups.items():
            cell = cells[(month, dimension, key)]
            for name, value in figures.items():
                cell[name] += value
    return cells


ATTEMPT_DIMENSIONS = {"total", "responsible_kind", "responsible_institution"}
ZERO_ENTRY = (
    "requests",
    "minutes",
    "transferred_minutes",
    "do_for_requests",
    "do_for_without_mandate",
    "rights_delayed_value_eur",
    "rights_lost_value_eur",
)


def published(cell, hourly_cost, dimension):
    cell = {**dict.fromkeys(ZERO_ENTRY, 0), **cell}
    minutes, requests = cell["minutes"], cell["requests"]
    cell["transferred_share"] = cell["transferred_minutes"] / minutes if minutes else None
    cell["do_for_share"] = cell["do_for_requests"] / requests if requests else None
    cell["transferred_value_eur"] = (
        Decimal(cell["transferred_minutes"]) * hourly_cost / 60
    ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if dimension in ATTEMPT_DIMENSIONS:
        cell.setdefault("attempts", 0)
        cell.setdefault("failed_attempts", 0)
        cell.setdefault("owed_attempt_minutes", 0)
        cell["owed_minutes"] = cell["transferred_minutes"] + cell["owed_attempt_minutes"]
        cell["owed_value_eur"] = (Decimal(cell["owed_minutes"]) * hourly_cost / 60).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    else:
        for name in ("attempts", "failed_attempts", "owed_attempt_minutes", "owed_minutes"):
            cell[name] = None
        cell["owed_value_eur"] = None
    return cell


def assert_rollups_match_the_log(association):
    expected = expected_cells(association)
    for dimension in ("total", *DIMENSIONS):
        table = monthly_table_for_association(
            association=association,
            period=PERIOD,
            group_by=None if dimension == "total" else dimension,
        )
        got = {
            (row["month"], row["group"]): row for row in table if row["requests"] or row["attempts"]
        }
        want = {
            (month, key): published(cell, association.hourly_cost_eur, dimension)
            for (month, dim, key), cell in expected.items()
            if dim == dimension
        }
        assert set(got) == set(want), dimension
        for key, want_cell in want.items():
            got_cell = got[key]
            for name, value in want_cell.items():
                if value is None or isinstance(value, Decimal):
                    assert got_cell[name] == value, (dimension, key, name)
                else:
                    assert got_cell[name] == pytest.approx(value), (dimension, key, name)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    logged=st.lists(entry_fields(), min_size=1, max_size=12),
    edits=st.lists(st.tuples(st.integers(0, 11), entry_fields()), max_size=4),
    deletes=st.lists(st.integers(0, 11), max_size=3, unique=True),
    hourly_cost=st.sampled_from([Decimal("40.00"), Decimal("37.35"), Decimal("52.10")]),
    tried=st.lists(attempt_fields(), max_size=8),
    attempt_edits=st.lists(st.tuples(st.integers(0, 7), attempt_fields()), max_size=3),
    attempt_deletes=st.lists(st.integers(0, 7), max_size=2, unique=True),
    given_mandates=st.lists(mandate_draws(), max_size=4),
)
def test_rollups_equal_an_independent_computation_of_the_metrics(
    logged, edits, deletes, hourly_cost, tried, attempt_edits, attempt_deletes, given_mandates
):
    # Given an association's log, built, edited and pruned through the services
    association, _ = association_create_or_update(
        slug=f"prop-{next(_slugs)}", name="Property", hourly_cost_eur=hourly_cost
    )
    institutions = [
        *Institution.objects.filter(kind="cpas").order_by("pk")[:2],
        Institution.objects.filter(kind="bank").order_by("pk").first(),
        Institution.objects.filter(kind="union").order_by("pk").first(),
    ]
    persons = [
        Person.objects.create(association=association, code=f"P{n}", language=language)
        for n, language in enumerate(("fr", "nl"))
    ]

    def give(drawn):
        mandate = mandate_services.mandate_create(
            association=association,
            person=persons[drawn["person"]].pk,
            scopes=drawn["scopes"],
            starts_on=drawn["starts_on"],
            ends_on=drawn["starts_on"] + dt.timedelta(days=drawn["days"]),
            form="paper",
        )
        if drawn["revoke_after"] is not None:
            mandate_services.mandate_revoke(
                mandate=mandate,
                revoked_on=drawn["starts_on"] + dt.timedelta(days=drawn["revoke_after"]),
            )

    for drawn in given_mandates:
        if not drawn["after_the_log"]:
            give(drawn)
    entries = [
        cases_services.assistance_request_create(
            association=association, **as_service_fields(drawn, institutions, persons)
        )
        for drawn in logged
    ]
    for index, drawn in edits:
        if index < len(entries):
            cases_services.assistance_request_update(
                entry=entries[index], **as_service_fields(drawn, institutions, persons)
            )
    for drawn in given_mandates:
        if drawn["after_the_log"]:
            give(drawn)
    # The nightly job records the ended terms; the figures do not move.
    mandate_services.mandates_expire(today=dt.date(2026, 4, 1))
    for index in deletes:
        if index < len(entries) and entries[index].pk is not None:
            cases_services.assistance_request_delete(entry=entries[index])

    attempts = [
        attempt_services.contact_attempt_create(
            association=association,
            **as_attempt_fields(drawn, institutions),
            assistance_request=entries[0] if entries[0].pk is not None else None,
        )
        for drawn in tried
    ]
    for index, drawn in attempt_edits:
        if index < len(attempts):
            attempt_services.contact_attempt_update(
                attempt=attempts[index], **as_attempt_fields(drawn, institutions)
            )
    for index in attempt_deletes:
        if index < len(attempts):
            attempt_services.contact_attempt_delete(attempt=attempts[index])

    # When the dirty months are swept (what the beat does)
    rollups_sweep_dirty()

    # Then every cell equals METRICS.md computed from the log, and a full recomputation,
    # run twice, changes nothing.
    assert_rollups_match_the_log(association)
    before = sorted(
        Rollup.objects.filter(association=association).values_list(
            "month", "dimension", "group_key", "requests", "minutes", "transferred_minutes"
        )
    )
    rollups_recompute(association_id=association.pk)
    rollups_recompute(association_id=association.pk)
    after = sorted(
        Rollup.objects.filter(association=association).values_list(
            "month", "dimension", "group_key", "requests", "minutes", "transferred_minutes"
        )
    )
    assert before == after
    assert_rollups_match_the_log(association)
