"""Synthetic demo entries: the reference generator of the domain notes (section 3), ported.

The model is the reference one: a person (pseudonymous, traits drawn once) comes to a contact
(a date and a channel) with one to three requests; follow-ups reuse a person seen in the last
60 days; daily volume is Poisson, scaled by month and by seasonal boosts per domain. Instead of
CSV lines it yields unsaved `Person` records and rows for `assistance_requests_bulk_create`.

Differences from the reference, and why:
- the period ends today, so that no entry is in the future and the demo looks current;
- the rights ledger (impact, non-take-up type, months, amounts) is drawn from the outcome, and
  contact attempts from the barriers that say a channel failed, each with a random stream of
  its own, so that the entries are those the seed gave before the ledger existed;
- referring and responsible bodies are named from the institution registry part of the time,
  as a worker would; the kind of a named body is always the kind drawn;
- some requests meet no digital barrier, some are no institution's procedure (the
  association's own work, the person's, their circle's), and procedures have seasons within
  their domain: without these every entry was transferred work (docs/demo-data.md).

All output is synthetic: no real person is described.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

from cases.models import LANGUAGE_CODES, Person
from referrals.registry import BRUSSELS_MUNICIPALITIES
from taxonomy import NON_EXTERNAL_KINDS, get_taxonomy, procedure_root

CONFIG_FILE = Path(__file__).with_name("demo_config.yaml")

# Kinds that never name a body in the registry (the person, their circle, not known).
PERSONAL_KINDS = frozenset({"self", "entourage", "unknown"})
# Kinds whose registry bodies are local: the person's own commune serves them.
LOCAL_KINDS = frozenset({"cpas", "commune"})


class DemoConfigError(ValueError):
    """The demo configuration uses a code or a shape the generator cannot work with."""


# --- Configuration ---------------------------------------------------------------------------


@cache
def load_config(path: Path = CONFIG_FILE) -> dict:
    with path.open(encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    check_config(config)
    return config


def check_config(cfg: dict) -> None:
    """Raise DemoConfigError naming every code of the config that the taxonomy lacks.

    The reference checker matched codes by pattern; the taxonomy's codes have no distinctive
    pattern, so each part of the config is checked against the section it speaks.
    """
    check = _ConfigCheck(cfg)
    for part in (
        _check_draws,
        _check_modifiers,
        _check_outcomes_and_flags,
        _check_persons,
        _check_contrast,
        _check_ledger_and_attempts,
    ):
        part(cfg, check)
    # Every domain that can be drawn needs its minutes and its responsible bodies.
    drawable = set(cfg["domain"]).union(
        *(affinity["domains"] for affinity in cfg["referrer_domain_affinity"].values())
    )
    for needed in ("minutes_by_domain", "target_by_domain"):
        for domain in sorted(drawable - set(cfg[needed])):
            check.problems.append(f"{needed}: domain {domain!r} is missing")
    if check.problems:
        raise DemoConfigError("; ".join(check.problems))


def _check_ledger_and_attempts(cfg, check):
    ledger, attempts = cfg["rights_ledger"], cfg["attempts"]
    check.within("rights_ledger.months_by_impact", ledger["months_by_impact"], check["impacts"])
    check.within(
        "rights_ledger.monthly_eur_by_domain", ledger["monthly_eur_by_domain"], check["roots"]
    )
    check.within("attempts.per_barrier", attempts["per_barrier"], check["barriers"])
    check.within_each(
        "attempts.channel_by_barrier",
        attempts["channel_by_barrier"],
        check["barriers"],
        check["attempt_channels"],
    )
    check.within_each(
        "attempts.result_by_channel",
        attempts["result_by_channel"],
        check["attempt_channels"],
        check["attempt_results"],
    )
    check.within(
        "attempts.waited_minutes_by_channel",
        attempts["waited_minutes_by_channel"],
        check["attempt_channels"],
    )


class _ConfigCheck:
    """The taxonomy's codes by section, and the problems found so far."""

    def __init__(self, cfg: dict):
        tax = get_taxonomy()
        self.codes = {
            name: set(tax.codes(section))
            for name, section in (
                ("kinds", "referrer_types"),
                ("barriers", "digital_barriers"),
                ("modes", "assistance_modes"),
                ("outcomes", "outcomes"),
                ("channels", "channels"),
                ("flags", "sensitive_data_flags"),
                ("consents", "consent_types"),
                ("impacts", "rights_impacts"),
                ("ntu", "non_take_up_types"),
                ("attempt_channels", "attempt_channels"),
                ("attempt_results", "attempt_results"),
                ("regions", "regions"),
            )
        }
        self.codes["roots"] = {c.code for c in tax.sections["procedure_domains"] if not c.parent}
        self.codes["procedures"] = {c.code for c in tax.sections["procedure_domains"]}
        self.codes["institutions"] = {c.code for c in tax.institutions}
        self.codes["traits"] = set(cfg["person_traits"])
        self.problems: list[str] = []

    def __getitem__(self, name: str) -> set:
        return self.codes[name]

    def within(self, path, values, allowed):
        for value in values:
            if value not in allowed:
                self.problems.append(f"{path}: unknown code {value!r}")

    def within_each(self, path, mapping, keys, values):
        """Keys of `mapping` among `keys`, and each value's codes among `values`."""
        self.within(path, mapping, keys)
        for key, codes in mapping.items():
            self.within(f"{path}.{key}", codes, values)


def _check_draws(cfg, check):
    within, roots = check.within, check["roots"]
    within("channel", cfg["channel"], check["channels"])
    within("referred_by", cfg["referred_by"], check["kinds"])
    within("domain", cfg["domain"], roots)
    within("domain_boosts", cfg["domain_boosts"], roots)
    check.within_each("target_by_domain", cfg["target_by_domain"], roots, check["kinds"])
    within("referrer_domain_affinity", cfg["referrer_domain_affinity"], check["kinds"])
    for kind, affinity in cfg["referrer_domain_affinity"].items():
        within(f"referrer_domain_affinity.{kind}", affinity["domains"], roots)
    barriers = check["barriers"]
    within("trait_barrier", (code for code, _ in cfg["trait_barrier"].values()), barriers)
    within("trait_barrier (traits)", cfg["trait_barrier"], check["traits"])
    check.within_each("domain_barrier_weights", cfg["domain_barrier_weights"], roots, barriers)
    within("global_barrier_weights", cfg["global_barrier_weights"], barriers)
    within("mode_base", cfg["mode_base"], check["modes"])
    within("minutes_by_domain", cfg["minutes_by_domain"], roots)
    within("mode_time_factor", cfg["mode_time_factor"], check["modes"])
    within("channel_time_factor", cfg["channel_time_factor"], check["channels"])
    within("barrier_time_factor", cfg["barrier_time_factor"], barriers)
    within("barrier_time_add", cfg["barrier_time_add"], barriers)
    check.within_each(
        "institutions_by_domain", cfg["institutions_by_domain"], roots, check["institutions"]
    )


def _check_modifiers(cfg, check):
    for name, targets in (
        ("mode_modifiers", check["modes"]),
        ("outcome_modifiers", check["outcomes"]),
    ):
        for position, modifier in enumerate(cfg[name]):
            path = f"{name}[{position}]"
            check.within(path, modifier.get("if_trait_any", []), check["traits"])
            check.within(path, modifier.get("if_barrier_any", []), check["barriers"])
            check.within(path, modifier.get("if_mode_any", []), check["modes"])
            check.within(path, modifier.get("if_domain_any", []), check["roots"])
            check.within(path, modifier["multiply"], targets)


def _check_outcomes_and_flags(cfg, check):
    within, outcomes = check.within, check["outcomes"]
    within("outcome_base", cfg["outcome_base"], outcomes)
    check.within_each(
        "rights_impact_by_outcome", cfg["rights_impact_by_outcome"], outcomes, check["impacts"]
    )
    check.within_each("ntu_by_outcome", cfg["ntu_by_outcome"], outcomes, check["ntu"])
    within("flags_base", cfg["flags_base"], check["flags"])
    within("flags_mode_factor", cfg["flags_mode_factor"], check["modes"] | {"default"})
    for position, conditional in enumerate(cfg["flag_conditionals"]):
        path = f"flag_conditionals[{position}]"
        within(path, [conditional["flag"]], check["flags"])
        within(path, conditional.get("if_barrier_any", []), check["barriers"])
        within(path, conditional.get("if_domain_any", []), check["roots"])
    within("consent_if_flag", cfg["consent_if_flag"], check["consents"] - {"not_applicable"})


def _check_persons(cfg, check):
    profile, regions = cfg["person_profile"], check["regions"]
    check.within_each(
        "person_profile.language_default", profile["language_default"], regions, LANGUAGE_CODES
    )
    check.within("person_profile.language_if_trait", profile["language_if_trait"], LANGUAGE_CODES)
    check.within("region_postcodes", cfg["region_postcodes"], regions)
    for position, association in enumerate(cfg["demo_associations"]):
        check.within(f"demo_associations[{position}].region", [association["region"]], regions)
        if association["region"] not in profile["language_default"]:
            check.problems.append(
                f"demo_associations[{position}]: no default languages for its region"
            )


def _check_contrast(cfg, check):
    """The shares of entries with no barrier and of work that is no institution's."""
    within, procedures = check.within, check["procedures"]
    within("no_barrier_share", set(cfg["no_barrier_share"]) - {"default"}, procedures)
    within("procedure_boosts", cfg["procedure_boosts"], procedures - check["roots"])
    own_work = cfg["own_work_by_domain"]
    within("own_work_by_domain", set(own_work) - {"default"}, check["roots"])
    for domain, kinds in own_work.items():
        within(f"own_work_by_domain.{domain}", kinds, NON_EXTERNAL_KINDS)
    within("own_work_month_factor", cfg["own_work_month_factor"], range(1, 13))
    if "default" not in own_work or "default" not in cfg["no_barrier_share"]:
        check.problems.append("no_barrier_share and own_work_by_domain need a default")


# --- Drawing ---------------------------------------------------------------------------------


class Weighted:
    """A {key: weight} mapping ready to draw from many times (the reference's `pick`, bisected)."""

    __slots__ = ("keys", "cumulative", "total")

    def __init__(self, weights: dict):
        items = [(key, weight) for key, weight in weights.items() if weight > 0]
        self.keys = [key for key, _ in items]
        self.cumulative = list(itertools.accumulate(weight for _, weight in items))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random):
        position = bisect.bisect_left(self.cumulative, rng.random() * self.total)
        return self.keys[min(position, len(self.keys) - 1)]


def pick(rng: random.Random, weights: dict):
    """Draw one key from a {key: weight} mapping (the reference's draw, for one-off weights)."""
    items = [(key, weight) for key, weight in weights.items() if weight > 0]
    r = rng.random() * sum(weight for _, weight in items)
    for key, weight in items:
        r -= weight
        if r <= 0:
            return key
    return items[-1][0]


def _compile_modifiers(modifiers: list[dict]) -> list[tuple]:
    return [
        (
            frozenset(m.get("if_trait_any", ())),
            frozenset(m.get("if_barrier_any", ())),
            frozenset(m.get("if_mode_any", ())),
            frozenset(m.get("if_domain_any", ())),
            m["multiply"],
        )
        for m in modifiers
    ]


def _knuth_poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method underflows for large rates (a big --entries on one association); a sum of
    # Poisson draws is Poisson, so large rates are drawn in slices.
    count = 0
    while lam > 30:
        count += _knuth_poisson(rng, 30)
        lam -= 30
    return count + _knuth_poisson(rng, lam)


def season(spec: dict, day: dt.date) -> float:
    """Multiplier for a day. Keys: month number, 'YYYY-MM..YYYY-MM' range, or 'default'."""
    factor, ym = None, f"{day.year:04d}-{day.month:02d}"
    for key, value in spec.items():
        if isinstance(key, int):
            hit = key == day.month
        else:
            lo, _, hi = str(key).partition("..")
            hit = bool(hi) and lo <= ym <= hi
        if hit:
            factor = value * (factor or 1.0)
    return spec.get("default", 1.0) if factor is None else factor


# --- Period and volume -----------------------------------------------------------------------


def demo_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """One year ending today (the service refuses a date in the future)."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + dt.timedelta(days=1), today


@dataclass(frozen=True)
class AssociationPlan:
    """One demo association: who it is and how big it is."""

    slug: str
    name: str
    postcode: str
    region: str
    fte_workers: float
    open_days_per_week: int
    language_trait: float | None = None

    @property
    def short_name(self) -> str:
        return self.slug.removeprefix("asbl-")


def association_plans(cfg: dict, count: int) -> list[AssociationPlan]:
    """The first `count` demo associations; past the configured list, numbered copies."""
    listed = cfg["demo_associations"]
    plans = []
    for position in range(count):
        spec = dict(listed[position % len(listed)])
        if position >= len(listed):
            spec["slug"] = f"asbl-demo-{position + 1}"
            spec["name"] = f"Association {position + 1} (démo)"
        plans.append(AssociationPlan(**spec))
    return plans


def expected_requests(cfg: dict, plan: AssociationPlan, start: dt.date, end: dt.date) -> float:
    """Mean yearly volume of the association at its nominal size over the period."""
    per_day = cfg["volume"]["requests_per_fte_week"] * plan.fte_workers / plan.open_days_per_week
    total, day = 0.0, start
    while day <= end:
        if day.weekday() < plan.open_days_per_week:
            total += per_day * cfg["month_multiplier"][day.month]
        day += dt.timedelta(days=1)
    return total


def scaled_fte(
    cfg: dict, plans: list[AssociationPlan], start: dt.date, end: dt.date, target: int
) -> dict[str, float]:
    """The FTE of each association, all scaled by one factor so the mean total is `target`."""
    expected = sum(expected_requests(cfg, plan, start, end) for plan in plans)
    factor = target / expected if expected else 0.0
    return {plan.slug: plan.fte_workers * factor for plan in plans}


# --- Institutions ----------------------------------------------------------------------------


class InstitutionPicker:
    """Names a body of the registry for a kind, as a worker would, part of the time."""

    def __init__(self, cfg: dict, institutions: Iterable, home_postcode: str):
        self.named_share = cfg["institution_named_share"]
        self.home_postcode = home_postcode
        ordered = sorted(institutions, key=lambda i: i.pk)
        self.by_kind: dict[str, list] = {}
        for institution in ordered:
            self.by_kind.setdefault(institution.kind, []).append(institution)
        self.local = {
            (i.kind, i.postcode): i for i in ordered if i.kind in LOCAL_KINDS and i.postcode
        }
        by_code = {i.code: i for i in ordered if i.code}
        self.preferred = {
            (domain, kind): [by_code[c] for c in codes if c in by_code and by_code[c].kind == kind]
            for domain, codes in cfg["institutions_by_domain"].items()
            for kind in {by_code[c].kind for c in codes if c in by_code}
        }

    def pick(self, rng: random.Random, kind: str, domain: str | None = None, postcode: str = ""):
        if kind in PERSONAL_KINDS or rng.random() >= self.named_share:
            return None
        if kind in LOCAL_KINDS:
            local = self.local.get((kind, postcode)) or self.local.get((kind, self.home_postcode))
            if local is not None:
                return local
            # Outside Brussels the registry has no commune of its own: name the generic body,
            # never another commune's.
            candidates = [i for i in self.by_kind.get(kind, []) if not i.postcode]
            return rng.choice(candidates) if candidates else None
        candidates = self.preferred.get((domain, kind)) or self.by_kind.get(kind)
        return rng.choice(candidates) if candidates else None


# --- The generator ---------------------------------------------------------------------------


class _PersonState:
    __slots__ = (
        "record",
        "traits",
        "trait_key",
        "last_domain",
        "last_seen",
        "referrer_kind",
        "referred_by",
    )

    def __init__(self, record, traits, day, referrer_kind):
        self.record = record
        self.referred_by = None
        self.traits = traits
        self.trait_key = tuple(sorted(traits))  # sorted: set order varies between runs
        self.last_domain = None
        self.last_seen = day
        self.referrer_kind = referrer_kind


@dataclass
class Generated:
    """Unsaved persons, and entry rows that point at them: save the persons first; then the
    contact attempts made before those entries."""

    persons: list
    rows: list
    contacts: int
    attempts: list = field(default_factory=list)


class Generator:
    """Draws one association's year. Deterministic for a given random generator state."""

    def __init__(self, cfg: dict, plan: AssociationPlan, institutions: InstitutionPicker):
        self.cfg = cfg
        self.plan = plan
        self.institutions = institutions
        tax = get_taxonomy()
        self.children = {}
        for code in tax.sections["procedure_domains"]:
            if code.parent:
                self.children.setdefault(code.parent, []).append(code.code)
            else:
                self.children.setdefault(code.code, [])
        self.children = {root: kids or [root] for root, kids in self.children.items()}

        vol = cfg["volume"]
        self.requests_per_contact = Weighted(vol["requests_per_contact"])
        self.channel = Weighted(cfg["channel"])
        self.referred_by = Weighted(cfg["referred_by"])
        self.barriers_per_request = Weighted(cfg["barriers_per_request"])
        self.consent = Weighted(cfg["consent_if_flag"])
        self.targets = {d: Weighted(w) for d, w in cfg["target_by_domain"].items()}
        self.mode_modifiers = _compile_modifiers(cfg["mode_modifiers"])
        self.outcome_modifiers = _compile_modifiers(cfg["outcome_modifiers"])
        self.flag_barriers = frozenset(
            code for c in cfg["flag_conditionals"] for code in c.get("if_barrier_any", ())
        )
        self.affinity = {
            kind: (spec["p"], Weighted(spec["domains"]))
            for kind, spec in cfg["referrer_domain_affinity"].items()
        }
        self.lognormal = {
            domain: (math.log(median), (math.log(p90) - math.log(median)) / 1.2816)  # z(0.90)
            for domain, (median, p90) in cfg["minutes_by_domain"].items()
        }
        traits = dict(cfg["person_traits"])
        if plan.language_trait is not None:
            traits["language"] = plan.language_trait
        self.trait_shares = traits

        profile = cfg["person_profile"]
        self.age_bands = Weighted(
            {tuple(int(x) for x in band.split("-")): w for band, w in profile["age_bands"].items()}
        )
        self.postcode_source = Weighted(profile["postcode"])
        self.language_default = Weighted(profile["language_default"][plan.region])
        self.language_if_trait = Weighted(profile["language_if_trait"])
        self.region_postcodes = sorted(
            set(cfg["region_postcodes"].get(plan.region) or _brussels_postcodes()) - {plan.postcode}
        )
        self.own_work = {
            domain: (sum(kinds.values()), Weighted(kinds))
            for domain, kinds in cfg["own_work_by_domain"].items()
        }
        # Caches of weights that depend only on a few inputs.
        self._domain_by_month = {}
        self._procedure_by_month = {}
        self._barrier_pool = {}
        self._mode_weights = {}
        self._outcome_weights = {}
        self._flag_probs = {}

    # Persons.

    def new_person(self, rng, association, number, day) -> _PersonState:
        traits, shares = set(), self.trait_shares
        if rng.random() < shares["no_device"]:
            traits.add("no_device")
        elif rng.random() < shares["smartphone_only"]:
            traits.add("smartphone_only")
        for trait, share in shares.items():
            if trait not in ("no_device", "smartphone_only") and rng.random() < share:
                traits.add(trait)
        referrer_kind = self.referred_by.draw(rng)
        low, high = self.age_bands.draw(rng)
        source = self.postcode_source.draw(rng)
        if source == "association":
            postcode = self.plan.postcode
        elif source == "elsewhere_in_region" and self.region_postcodes:
            postcode = rng.choice(self.region_postcodes)
        else:
            postcode = ""
        language = (
            self.language_if_trait.draw(rng)
            if "language" in traits
            else self.language_default.draw(rng)
        )
        record = Person(
            association=association,
            code=f"P-{number:05d}",
            birth_year=day.year - rng.randint(low, high),
            postcode=postcode,
            language=language,
        )
        state = _PersonState(record, traits, day, referrer_kind)
        # A person is sent by one body: the same one on every request.
        state.referred_by = self.institutions.pick(rng, referrer_kind, postcode=postcode)
        return state

    # Requests.

    def domain_weights(self, day) -> Weighted:
        key = (day.year, day.month)
        if key not in self._domain_by_month:
            boosts = self.cfg["domain_boosts"]
            self._domain_by_month[key] = Weighted(
                {d: w * season(boosts.get(d, {}), day) for d, w in self.cfg["domain"].items()}
            )
        return self._domain_by_month[key]

    def draw_procedure(self, rng, domain, day) -> str:
        """A procedure of the domain, by its season (the tax return in June, the enrolment in
        September, the regularisation bill in winter)."""
        key = (day.year, day.month, domain)
        weights = self._procedure_by_month.get(key)
        if weights is None:
            boosts = self.cfg["procedure_boosts"]
            weights = self._procedure_by_month[key] = Weighted(
                {code: season(boosts.get(code, {}), day) for code in self.children[domain]}
            )
        return weights.draw(rng)

    def met_no_barrier(self, rng, procedure) -> bool:
        shares = self.cfg["no_barrier_share"]
        share = shares.get(procedure, shares.get(procedure_root(procedure), shares["default"]))
        return rng.random() < share

    def draw_responsible(self, rng, person, domain, day) -> tuple[str, object]:
        """Whose procedure it is, and the body named, if any. The association's own work, the
        person's and their circle's are no institution's: no body is named for them."""
        share, kinds = self.own_work.get(domain) or self.own_work["default"]
        if rng.random() < share * self.cfg["own_work_month_factor"].get(day.month, 1.0):
            return kinds.draw(rng), None
        kind = self.targets[domain].draw(rng)
        return kind, self.institutions.pick(rng, kind, domain, person.record.postcode)

    def draw_barriers(self, rng, person, domain) -> list[str]:
        key = (person.trait_key, domain)
        base = self._barrier_pool.get(key)
        if base is None:
            base = {}
            for trait in person.trait_key:
                code, weight = self.cfg["trait_barrier"][trait]
                base[code] = base.get(code, 0) + weight
            for source in (
                self.cfg["domain_barrier_weights"].get(domain, {}),
                self.cfg["global_barrier_weights"],
            ):
                for code, weight in source.items():
                    base[code] = base.get(code, 0) + weight
            self._barrier_pool[key] = base
        pool = dict(base)
        chosen = []
        for _ in range(min(int(self.barriers_per_request.draw(rng)), len(pool))):
            code = pick(rng, pool)
            chosen.append(code)
            del pool[code]
        return chosen

    def _modified(self, cache_, base, modifiers, person, barriers, mode=None, domain=None):
        """The base weights multiplied by every modifier whose condition holds."""
        hits = tuple(
            i
            for i, (traits, barrier_codes, modes, domains, _multiply) in enumerate(modifiers)
            if not traits.isdisjoint(person.traits)
            or not barrier_codes.isdisjoint(barriers)
            or mode in modes
            or domain in domains
        )
        weighted = cache_.get(hits)
        if weighted is None:
            out = dict(base)
            for i in hits:
                for key, factor in modifiers[i][4].items():
                    out[key] = out.get(key, 0) * factor
            weighted = cache_[hits] = Weighted(out)
        return weighted

    def minutes(self, rng, domain, mode, channel, barriers) -> int:
        cfg = self.cfg
        mu, sigma = self.lognormal[domain]
        m = rng.lognormvariate(mu, sigma)
        m *= cfg["mode_time_factor"].get(mode, 1.0) * cfg["channel_time_factor"].get(channel, 1.0)
        if not barriers:
            m *= cfg["no_barrier_time_factor"]
        for b in barriers:
            m *= cfg["barrier_time_factor"].get(b, 1.0)
            if b in cfg["barrier_time_add"]:
                m += rng.uniform(*cfg["barrier_time_add"][b])
        return int(min(cfg["minutes_cap"], max(5, 5 * round(m / 5))))

    def draw_flags(self, rng, mode, domain, barriers) -> list[str]:
        # Only the barriers named by a conditional change the probabilities.
        key = (mode, domain, frozenset(barriers & self.flag_barriers))
        probs = self._flag_probs.get(key)
        if probs is None:
            cfg = self.cfg
            factor = cfg["flags_mode_factor"].get(mode, cfg["flags_mode_factor"]["default"])
            raw = {flag: (p, False) for flag, p in cfg["flags_base"].items()}
            for c in cfg["flag_conditionals"]:
                if set(c.get("if_barrier_any", [])) & barriers or domain in c.get(
                    "if_domain_any", []
                ):
                    p, _ = raw.get(c["flag"], (0.0, False))
                    raw[c["flag"]] = (max(p, c["p"]), c.get("mode_independent", False))
            probs = self._flag_probs[key] = [
                (flag, p if independent else p * factor) for flag, (p, independent) in raw.items()
            ]
        return sorted(flag for flag, p in probs if rng.random() < p)

    def generate(
        self,
        rng: random.Random,
        association,
        *,
        fte_workers: float,
        start: dt.date,
        end: dt.date,
        on_day: Callable[[], None] | None = None,
    ) -> Generated:
        cfg, plan, vol = self.cfg, self.plan, self.cfg["volume"]
        per_day = vol["requests_per_fte_week"] * fte_workers / plan.open_days_per_week
        window = dt.timedelta(days=vol["followup_window_days"])
        persons, rows, contacts = [], [], 0
        # The ledger and the attempts draw from a stream of their own (see the module's note).
        side = random.Random(f"{plan.slug}:{start}:side")
        attempts = []
        # Persons seen within the follow-up window, in creation order like the reference's
        # scan of every person; pruned once a day so a contact costs O(1), not O(persons).
        recent: list[_PersonState] = []
        day = start
        while day <= end:
            if day.weekday() < plan.open_days_per_week:
                cutoff = day - window
                recent = [p for p in recent if p.last_seen >= cutoff]
                left = poisson(rng, per_day * cfg["month_multiplier"][day.month])
                domains_today = self.domain_weights(day)
                while left > 0:
                    contacts += 1
                    size = min(left, int(self.requests_per_contact.draw(rng)))
                    left -= size
                    is_new = not (recent and rng.random() < vol["followup_share"])
                    if is_new:
                        person = self.new_person(rng, association, len(persons) + 1, day)
                        persons.append(person)
                        recent.append(person)
                    else:
                        person = rng.choice(recent)
                    affinity = self.affinity.get(person.referrer_kind)
                    channel = self.channel.draw(rng)
                    for i in range(size):
                        if (
                            i == 0
                            and person.last_domain
                            and rng.random() < vol["followup_same_domain"]
                        ):
                            domain = person.last_domain
                        elif i == 0 and is_new and affinity and rng.random() < affinity[0]:
                            domain = affinity[1].draw(rng)
                        else:
                            domain = domains_today.draw(rng)
                        rows.append(self.request(rng, person, day, domain, channel))
                        attempts.extend(self.ledger_and_attempts(side, rows[-1], start))
                        person.last_domain = domain
                    person.last_seen = day
            if on_day is not None:
                on_day()
            day += dt.timedelta(days=1)
        return Generated(
            persons=[p.record for p in persons], rows=rows, contacts=contacts, attempts=attempts
        )

    def ledger_and_attempts(self, rng, row, start: dt.date) -> list[dict]:
        """Add the rights ledger to an entry's row; the attempts made before it."""
        row.update(self.ledger(rng, row))
        return self.attempts_before(rng, row, start)

    def ledger(self, rng, row) -> dict:
        """The rights ledger of an entry: its impact and non-take-up type from its outcome, the
        months and the monthly amount at stake, fees borne."""
        cfg = self.cfg["rights_ledger"]
        outcome = row["outcome"]
        impact = pick(rng, self.cfg["rights_impact_by_outcome"].get(outcome, {"none": 1}))
        ledger = {"rights_impact": impact}
        if outcome in self.cfg["ntu_by_outcome"]:
            ledger["non_take_up_type"] = pick(rng, self.cfg["ntu_by_outcome"][outcome])
        months = cfg["months_by_impact"].get(impact)
        if months:
            root = row["procedure_domain"].split(".")[0]
            monthly = cfg["monthly_eur_by_domain"].get(root, cfg["monthly_eur_other"])
            ledger["right_months"] = rng.randint(*months)
            ledger["right_monthly_eur"] = Decimal(str(monthly))
        if impact == "extra_cost":
            ledger["extra_cost_eur"] = Decimal(rng.randint(*cfg["extra_cost_eur"]))
        return ledger

    def attempts_before(self, rng, row, start: dt.date) -> list[dict]:
        """The failed (and a few answered) attempts to reach the responsible body before the
        entry, for barriers that say its channel failed."""
        if row["responsible_kind"] in NON_EXTERNAL_KINDS:
            return []
        cfg = self.cfg["attempts"]
        attempts = []
        for barrier in row["barriers"]:
            if barrier not in cfg["per_barrier"]:
                continue
            for _ in range(poisson(rng, cfg["per_barrier"][barrier])):
                channel = pick(rng, cfg["channel_by_barrier"][barrier])
                day = row["occurred_on"] - dt.timedelta(days=rng.randint(*cfg["days_before_entry"]))
                attempts.append(
                    {
                        "occurred_on": max(day, start),
                        "institution_kind": row["responsible_kind"],
                        "institution": row["responsible_institution"],
                        "channel": channel,
                        "result": pick(rng, cfg["result_by_channel"][channel]),
                        "waited_minutes": rng.randint(*cfg["waited_minutes_by_channel"][channel]),
                    }
                )
        return attempts

    def request(self, rng, person, day, domain, channel) -> dict:
        cfg = self.cfg
        procedure = self.draw_procedure(rng, domain, day)
        if self.met_no_barrier(rng, procedure):
            barriers = []
        else:
            barriers = self.draw_barriers(rng, person, domain)
        bset = set(barriers)
        mode = self._modified(
            self._mode_weights, cfg["mode_base"], self.mode_modifiers, person, bset, None, domain
        ).draw(rng)
        outcome = self._modified(
            self._outcome_weights,
            cfg["outcome_base"],
            self.outcome_modifiers,
            person,
            bset,
            mode,
            domain,
        ).draw(rng)
        flags = self.draw_flags(rng, mode, domain, bset)
        responsible_kind, responsible_institution = self.draw_responsible(rng, person, domain, day)
        return {
            "occurred_on": day,
            "duration_minutes": self.minutes(rng, domain, mode, channel, barriers),
            "channel": channel,
            "procedure_domain": procedure,
            "referrer_kind": person.referrer_kind,
            "referred_by": person.referred_by,
            "responsible_kind": responsible_kind,
            "responsible_institution": responsible_institution,
            "barriers": barriers,
            "mode": mode,
            "outcome": outcome,
            "consent": self.consent.draw(rng) if flags else "not_applicable",
            "sensitive_flags": flags,
            "person": person.record,
            "notes": "",
        }


def _brussels_postcodes() -> tuple[str, ...]:
    return tuple(postcode for postcode, _fr, _nl in BRUSSELS_MUNICIPALITIES)


def association_rng(seed: int, slug: str) -> random.Random:
    """One stream per association, so adding an association leaves the others unchanged."""
    return random.Random(f"{seed}:{slug}")
