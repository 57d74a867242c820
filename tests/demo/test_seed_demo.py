"""The demo seed: structure, logins, and data that follows the documented model (domain.md §3).

Tolerances are wide enough for a few thousand draws and narrow enough to catch a broken
distribution (a share of 0 or 1, a mode or outcome that no longer dominates).
"""

import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import (
    BARRIER_CODES,
    CHANNEL_CODES,
    CONSENT_CODES,
    FLAG_CODES,
    KIND_CODES,
    LANGUAGE_CODES,
    MODE_CODES,
    OUTCOME_CODES,
    PROCEDURE_CODES,
    AssistanceRequest,
    Person,
    RequestBarrier,
    RequestSensitiveFlag,
)
from demo.generator import DemoConfigError, check_config, demo_period, load_config
from demo.seed import ADMIN_EMAIL, DEMO_PASSWORD, demo_logins
from organisations.models import Association, Federation, Membership, User

pytestmark = pytest.mark.django_db

SEED = 20261128
ENTRIES = 3000
DEMO_SLUGS = ["asbl-anderlecht", "asbl-schaerbeek", "asbl-molenbeek", "asbl-saint-gilles"]
SEPT_TO_APRIL = {9, 10, 11, 12, 1, 2, 3, 4}
UNNAMEABLE_KINDS = {"self", "entourage", "unknown", "other"}
# Whose procedure it is when it is no institution's (METRICS.md, "external").
NOT_EXTERNAL_KINDS = {"association", "self", "entourage", "unknown"}


def seed_demo(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def fingerprint() -> list[tuple]:
    """What a re-run must reproduce (ids and timestamps aside)."""
    return list(
        AssistanceRequest.objects.order_by("association__slug", "id").values_list(
            "association__slug",
            "occurred_on",
            "duration_minutes",
            "procedure_domain",
            "mode",
            "outcome",
            "person__code",
            "referred_by__name",
            "responsible_institution__name",
        )
    )


@dataclass
class Seeded:
    """A small demo, read back once for every check."""

    output: str
    entries: list
    barriers: dict
    flags: dict


def load_seeded(output: str) -> Seeded:
    barriers, flags = defaultdict(list), defaultdict(list)
    for entry_id, code in RequestBarrier.objects.values_list("assistance_request_id", "code"):
        barriers[entry_id].append(code)
    for entry_id, code in RequestSensitiveFlag.objects.values_list("assistance_request_id", "code"):
        flags[entry_id].append(code)
    entries = list(
        AssistanceRequest.objects.select_related(
            "association", "person", "referred_by", "responsible_institution"
        )
    )
    return Seeded(output=output, entries=entries, barriers=barriers, flags=flags)


def share(items, predicate) -> float:
    items = list(items)
    return sum(1 for item in items if predicate(item)) / len(items)


def test_the_seeded_demo_follows_the_model():
    demo = load_seeded(seed_demo(entries=ENTRIES, seed=SEED))
    check_the_federation_associations_and_members_exist(demo)
    check_the_logins_are_printed_by_both_commands(demo)
    check_the_volume_is_close_to_the_target_and_differs_by_association(demo)
    check_requests_per_person_and_per_contact_are_plausible(demo)
    check_dates_cover_the_year_ending_today(demo)
    check_mode_outcome_and_channel_shares(demo)
    check_barriers_none_or_one_to_three_per_request(demo)
    check_durations_are_5_to_480_in_steps_of_5(demo)
    check_taxes_peak_in_june(demo)
    check_every_code_is_in_the_taxonomy(demo)
    check_named_institutions_match_the_kind(demo)


# --- Structure and logins --------------------------------------------------------------------


def check_the_federation_associations_and_members_exist(demo: Seeded):
    federation = Federation.objects.get(slug="fed-bxl")
    assert federation.name == "Fédération des services sociaux (démo)"
    associations = Association.objects.filter(slug__in=DEMO_SLUGS)
    assert associations.count() == 4
    for association in associations:
        assert association.federation_memberships.get(federation=federation).shares_aggregates
        roles = Counter(Membership.objects.filter(organisation=association).values_list("role"))
        assert roles == {("director",): 1, ("worker",): 2}
    assert Membership.objects.filter(organisation=federation, role="analyst").count() == 1
    admin = User.objects.get(email=ADMIN_EMAIL)
    assert admin.is_superuser and admin.is_staff
    for user in User.objects.filter(email__endswith="@demo.be"):
        assert user.check_password(DEMO_PASSWORD), user.email


def check_the_logins_are_printed_by_both_commands(demo: Seeded):
    logins = demo_logins()
    assert len(logins) == 1 + 1 + 4 * 3
    assert logins[0].email == ADMIN_EMAIL
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    for login in logins:
        assert login.email in out.getvalue()
        assert login.email in demo.output
    assert DEMO_PASSWORD in out.getvalue()
    assert re.search(r"Seeded \d+ entries .* in [\d.]+ s\.", demo.output)
    assert "100%" in demo.output


def test_demo_logins_without_a_demo_says_so():
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "seed_demo" in out.getvalue()


# --- Volume, persons, dates ------------------------------------------------------------------


def check_the_volume_is_close_to_the_target_and_differs_by_association(demo: Seeded):
    assert 0.9 * ENTRIES <= len(demo.entries) <= 1.1 * ENTRIES
    per_association = Counter(entry.association.slug for entry in demo.entries)
    assert set(per_association) == set(DEMO_SLUGS)
    # Molenbeek has the most FTE, Saint-Gilles the fewest (demo_config.yaml).
    assert per_association["asbl-molenbeek"] > 1.5 * per_association["asbl-saint-gilles"]


def check_requests_per_person_and_per_contact_are_plausible(demo: Seeded):
    persons = Person.objects.filter(association__slug__in=DEMO_SLUGS)
    assert all(entry.person_id is not None for entry in demo.entries)
    per_person = len(demo.entries) / persons.count()
    assert 1.3 <= per_person <= 3.0
    # A contact is one person on one day: 1.27 requests per contact in the model.
    per_contact = len(demo.entries) / len({(e.person_id, e.occurred_on) for e in demo.entries})
    assert 1.1 <= per_contact <= 1.45
    for person in persons:
        assert re.fullmatch(r"P-\d{5}", person.code)
        assert person.language in LANGUAGE_CODES
        assert person.birth_year is None or 1900 <= person.birth_year <= timezone.now().year - 18
        assert person.postcode == "" or re.fullmatch(r"\d{4}", person.postcode)
    entry_persons = {e.person_id: e.association_id for e in demo.entries}
    owners = dict(persons.values_list("id", "association_id"))
    assert all(owners[person_id] == assoc for person_id, assoc in entry_persons.items())


def check_dates_cover_the_year_ending_today(demo: Seeded):
    start, end = demo_period(timezone.localdate())
    days = {entry.occurred_on for entry in demo.entries}
    assert min(days) >= start and max(days) <= end
    assert len({(d.year, d.month) for d in days}) >= 12
    assert all(entry.month == entry.occurred_on.strftime("%Y-%m") for entry in demo.entries)


# --- Distributions of the model --------------------------------------------------------------


def check_mode_outcome_and_channel_shares(demo: Seeded):
    assert 0.45 <= share(demo.entries, lambda e: e.mode == "do_for") <= 0.65
    assert 0.45 <= share(demo.entries, lambda e: e.outcome == "resolved") <= 0.62
    assert 0.60 <= share(demo.entries, lambda e: e.channel == "on_site") <= 0.80
    assert Counter(e.mode for e in demo.entries).most_common(1)[0][0] == "do_for"


def check_barriers_none_or_one_to_three_per_request(demo: Seeded):
    counts = [len(demo.barriers[entry.id]) for entry in demo.entries]
    # About a quarter of the help met no digital barrier (no_barrier_share, about 0.28).
    assert 0.62 <= share(counts, lambda n: n >= 1) <= 0.82
    assert max(counts) <= 3
    with_barriers = [n for n in counts if n]
    assert 1.5 <= sum(with_barriers) / len(with_barriers) <= 2.1  # 1: 40%, 2: 40%, 3: 20% -> 1.8
    assert all(entry.has_barrier == bool(demo.barriers[entry.id]) for entry in demo.entries)


def check_durations_are_5_to_480_in_steps_of_5(demo: Seeded):
    minutes = [entry.duration_minutes for entry in demo.entries]
    assert all(5 <= m <= 480 and m % 5 == 0 for m in minutes)
    median = sorted(minutes)[len(minutes) // 2]
    assert 20 <= median <= 70


def check_taxes_peak_in_june(demo: Seeded):
    june = [e for e in demo.entries if e.occurred_on.month == 6]
    rest = [e for e in demo.entries if e.occurred_on.month in SEPT_TO_APRIL]
    assert len(june) >= 100
    june_tax = share(june, lambda e: e.procedure_root == "tax")
    rest_tax = share(rest, lambda e: e.procedure_root == "tax")
    assert june_tax > 1.8 * rest_tax


def check_every_code_is_in_the_taxonomy(demo: Seeded):
    for entry in demo.entries:
        assert entry.procedure_domain in PROCEDURE_CODES
        assert entry.procedure_domain.startswith(entry.procedure_root)
        assert entry.channel in CHANNEL_CODES
        assert entry.referrer_kind in KIND_CODES
        assert entry.responsible_kind in KIND_CODES
        assert entry.mode in MODE_CODES
        assert entry.outcome in OUTCOME_CODES
        assert entry.consent in CONSENT_CODES
        assert set(demo.barriers[entry.id]) <= set(BARRIER_CODES)
        assert set(demo.flags[entry.id]) <= set(FLAG_CODES)
        # Handling a secret always comes with a consent on record.
        assert (entry.consent == "not_applicable") == (not demo.flags[entry.id])
    # Children codes are drawn, not only the domains.
    assert share(demo.entries, lambda e: "." in e.procedure_domain) > 0.9


def check_named_institutions_match_the_kind(demo: Seeded):
    for entry in demo.entries:
        if entry.referred_by is not None:
            assert entry.referred_by.kind == entry.referrer_kind
        if entry.responsible_institution is not None:
            assert entry.responsible_institution.kind == entry.responsible_kind
    for kind_field, body_field in (
        ("referrer_kind", "referred_by"),
        ("responsible_kind", "responsible_institution"),
    ):
        # A person or their circle is never a body, and "other" has none in the registry; the
        # association's own work is no other body's either.
        unnameable = UNNAMEABLE_KINDS | ({"association"} if body_field != "referred_by" else set())
        nameable = [e for e in demo.entries if getattr(e, kind_field) not in unnameable]
        named = share(nameable, lambda e, body_field=body_field: getattr(e, body_field))
        assert 0.55 <= named <= 0.85, (body_field, named)
    own_work = [e for e in demo.entries if e.responsible_kind in NOT_EXTERNAL_KINDS]
    assert own_work and all(e.responsible_institution is None for e in own_work)
    local = [
        e
        for e in demo.entries
        if e.responsible_institution is not None
        and e.responsible_kind in {"cpas", "commune"}
        and e.person.postcode in {"1070", "1030", "1080", "1060"}
    ]
    assert local
    # A person's CPAS and commune are those of their postcode.
    assert all(e.responsible_institution.postcode == e.person.postcode for e in local)


def test_the_shipped_config_is_valid_and_a_bad_code_is_named():
    config = load_config()
    check_config(config)
    broken = {**config, "channel": {**config["channel"], "carrier_pigeon": 0.01}}
    with pytest.raises(DemoConfigError, match="carrier_pigeon"):
        check_config(broken)


# --- Re-runs ---------------------------------------------------------------------------------


def test_if_empty_twice_seeds_once():
    seed_demo(entries=400, seed=SEED, if_empty=True)
    count = AssistanceRequest.objects.count()
    assert count > 0
    out = seed_demo(entries=400, seed=SEED, if_empty=True)
    assert out.strip() == "Demo data already present."
    assert AssistanceRequest.objects.count() == count
    assert User.objects.filter(email__endswith="@demo.be").count() == 14


def test_a_rerun_replaces_the_data_with_the_same_data():
    seed_demo(entries=600, seed=SEED)
    first, persons = fingerprint(), Person.objects.count()
    out = seed_demo(entries=600, seed=SEED)
    assert f"Replaced {len(first)} earlier demo entries." in out
    assert fingerprint() == first
    assert Person.objects.count() == persons
    assert Association.objects.filter(slug__in=DEMO_SLUGS).count() == 4
    seed_demo(entries=600, seed=SEED + 1)
    assert fingerprint() != first


def test_fewer_associations_and_no_entries():
    seed_demo(associations=1, entries=0)
    assert list(Association.objects.values_list("slug", flat=True)) == ["asbl-anderlecht"]
    assert AssistanceRequest.objects.count() == 0
    assert len(demo_logins()) == 1 + 1 + 3
