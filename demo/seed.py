"""The demo: a federation, its associations and their members, and a year of synthetic entries.

`seed_demo` and `demo_logins` are thin commands over `seed_demo()` and `demo_logins()`. Every
organisation and member is written through the organisations services, and every entry through
`assistance_requests_bulk_create`, so the demo holds nothing a real association could not.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from attempts.models import ContactAttempt
from attempts.services import contact_attempts_bulk_create
from cases.models import AssistanceRequest, Person
from cases.services import assistance_requests_bulk_create
from freshness import services as freshness
from mandates.services import mandate_create, mandate_revoke, one_year_after
from organisations.models import Association, Membership, Organisation, Role, User
from organisations.services import (
    association_create_or_update,
    federation_create_or_update,
    member_create_or_update,
)
from referrals.models import Institution
from rendering.progress import ProgressBar

from .generator import (
    AssociationPlan,
    Generator,
    InstitutionPicker,
    association_plans,
    association_rng,
    demo_period,
    load_config,
    scaled_fte,
)

DEMO_PASSWORD = "demo-pass-2026"
ADMIN_EMAIL = "admin@demo.be"
EMAIL_DOMAIN = "demo.be"
DEFAULT_SEED = 20261128
DEFAULT_ENTRIES = 8000
DEFAULT_ASSOCIATIONS = 4
WORKERS_PER_ASSOCIATION = 2
# Numbered associations past the configured list (`--associations 12`) are demo ones too.
NUMBERED_DEMO_SLUG = r"^asbl-demo-[0-9]+$"


class DemoError(Exception):
    """The demo cannot be seeded; the message is one line for the command to print."""


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    organisation: str
    password: str = DEMO_PASSWORD


@dataclass(frozen=True)
class SeedResult:
    associations: int
    persons: int
    entries: int
    contacts: int
    cleared: int
    seconds: float
    attempts: int = 0


# --- Organisations and members ---------------------------------------------------------------


def member_email(role: str, plan: AssociationPlan | None = None, number: int | None = None) -> str:
    if plan is None:
        return f"{role}@{EMAIL_DOMAIN}"
    return f"{role}{number or ''}.{plan.short_name}@{EMAIL_DOMAIN}"


def _demo_associations_q(cfg: dict) -> Q:
    listed = [spec["slug"] for spec in cfg["demo_associations"]]
    return Q(slug__in=listed) | Q(slug__regex=NUMBERED_DEMO_SLUG)


def ensure_structure(cfg: dict, plans: list[AssociationPlan], password: str) -> dict:
    """Create or update the federation, associations and members; return associations by slug."""
    federation_spec = cfg["demo_federation"]
    federation, _created = federation_create_or_update(
        slug=federation_spec["slug"], name=federation_spec["name"]
    )
    member_create_or_update(
        org_slug=federation.slug, email=member_email("analyst"), role="analyst", password=password
    )
    associations = {}
    for plan in plans:
        association, _created = association_create_or_update(
            slug=plan.slug, name=plan.name, federation_slug=federation.slug
        )
        # The set-up service has no region argument (every association starts in Brussels);
        # the Walloon demo associations need theirs for region-level figures.
        if association.region != plan.region:
            Association.objects.filter(pk=association.pk).update(region=plan.region)
            association.region = plan.region
        associations[plan.slug] = association
        member_create_or_update(
            org_slug=plan.slug,
            email=member_email("director", plan),
            role="director",
            password=password,
        )
        for number in range(1, WORKERS_PER_ASSOCIATION + 1):
            member_create_or_update(
                org_slug=plan.slug,
                email=member_email("worker", plan, number),
                role="worker",
                password=password,
            )
    _ensure_admin(password)
    return associations


def _ensure_admin(password: str) -> User:
    user = User.objects.filter(email__iexact=ADMIN_EMAIL).first()
    validate_password(password, user=user or User(email=ADMIN_EMAIL))
    if user is None:
        return User.objects.create_superuser(ADMIN_EMAIL, password)
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save(update_fields=["is_staff", "is_superuser", "is_active", "password"])
    return user


def demo_logins() -> list[DemoLogin]:
    """The demo accounts present in the database: the admin, then by organisation."""
    logins = []
    if User.objects.filter(email__iexact=ADMIN_EMAIL, is_superuser=True).exists():
        logins.append(DemoLogin(ADMIN_EMAIL, "admin", "(admin site)"))
    cfg = load_config()
    organisations = Organisation.objects.filter(
        Q(slug=cfg["demo_federation"]["slug"], kind=Organisation.Kind.FEDERATION)
        | (Q(kind=Organisation.Kind.ASSOCIATION) & _demo_associations_q(cfg))
    )
    role_order = {Role.ANALYST: 0, Role.DIRECTOR: 1, Role.WORKER: 2}
    memberships = sorted(
        Membership.objects.filter(
            organisation__in=organisations, user__email__iendswith=f"@{EMAIL_DOMAIN}"
        ).select_related("user", "organisation"),
        key=lambda m: (
            m.organisation.kind != Organisation.Kind.FEDERATION,
            m.organisation.slug,
            role_order.get(m.role, 9),
            m.user.email,
        ),
    )
    logins.extend(DemoLogin(m.user.email, m.role, m.organisation.slug) for m in memberships)
    return logins


def format_logins(logins: list[DemoLogin]) -> str:
    if not logins:
        return _("No demo logins: run `manage.py seed_demo`.")
    header = ("email", "role", "organisation", "password")
    rows = [header] + [(x.email, x.role, x.organisation, x.password) for x in logins]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [_("Demo logins:")]
    for position, row in enumerate(rows):
        lines.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        if position == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


# --- Entries ---------------------------------------------------------------------------------


def clear_demo_entries(cfg: dict) -> int:
    """Delete the demo associations' entries and persons; return how many entries went.

    A queryset delete bypasses the per-entry service, so the months it empties are announced
    here, as `assistance_request_delete` would, for the rollups to follow.
    """
    associations = list(Association.objects.filter(_demo_associations_q(cfg)))
    deleted = 0
    for association in associations:
        entries = AssistanceRequest.objects.for_association(association)
        attempts = ContactAttempt.objects.for_association(association)
        months = set(entries.values_list("month", flat=True).distinct())
        months |= set(attempts.values_list("month", flat=True).distinct())
        attempts.delete()
        try:
            count = entries.count()
            entries.delete()
            Person.objects.for_association(association).delete()
        except ProtectedError:
            raise DemoError(
                _(
                    "The demo entries of %(slug)s are referenced elsewhere and cannot be "
                    "replaced; delete that association's data first."
                )
                % {"slug": association.slug}
            ) from None
        if months:
            freshness.log_changed(association_id=association.pk, months=months)
        deleted += count
    return deleted


def demo_data_present() -> bool:
    return AssistanceRequest.objects.exists()


@contextmanager
def _sql_log_off() -> Iterator[None]:
    """Stop Django's SQL log (on under DEBUG) for a bulk write.

    Under DEBUG every statement is logged, and on SQLite logging one costs one more query to
    quote its parameters: that alone made the demo seed about half again as long.
    """
    previous = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = previous


def _generate(cfg, plans, associations, institutions, fte, seed, start, end, write) -> dict:
    """Each association's persons and entries, drawn day by day with a progress bar."""
    days = (end - start).days + 1
    bar = ProgressBar(write, "Generating", days * len(plans), "days")
    generated = {}
    for plan in plans:
        generator = Generator(cfg, plan, InstitutionPicker(cfg, institutions, plan.postcode))
        generated[plan.slug] = generator.generate(
            association_rng(seed, plan.slug),
            associations[plan.slug],
            fte_workers=fte[plan.slug],
            start=start,
            end=end,
            on_day=bar.advance,
        )
    bar.finish()
    return generated


# Every third person gave the association a mandate for their taxes and one other domain, and
# one in four of those revoked it after three months; the others' do_for entries are done
# without one, as so many are (do_for_without_mandate).
MANDATE_EVERY = 3
MANDATE_REVOKED_EVERY = 4
MANDATE_SECOND_SCOPES = ("ris", "bank", "civil", "pension")


def _insert_mandates(associations, start: dt.date) -> int:
    today = timezone.localdate()
    ends_on = min(one_year_after(start), today + dt.timedelta(days=20))
    count = 0
    for association in associations:
        persons = Person.objects.for_association(association).order_by("pk")
        for index, person in enumerate(persons[::MANDATE_EVERY]):
            second = MANDATE_SECOND_SCOPES[index % len(MANDATE_SECOND_SCOPES)]
            mandate = mandate_create(
                association=association,
                person=person.pk,
                scopes=["tax", second],
                starts_on=start,
                ends_on=ends_on if index % 2 else one_year_after(start),
                form="paper" if index % 5 else "in_person",
            )
            revoked_on = start + dt.timedelta(days=90)
            if index % MANDATE_REVOKED_EVERY == 1 and revoked_on <= today:
                mandate_revoke(mandate=mandate, revoked_on=revoked_on)
            count += 1
    return count


def _insert_persons(generated: dict) -> int:
    persons = 0
    for batch in generated.values():
        Person.objects.bulk_create(batch.persons, batch_size=2000)
        persons += len(batch.persons)
    return persons


def _insert_entries(plans, associations, generated: dict, write) -> int:
    """Every entry through the bulk service (audit, dirty months), with a progress bar."""
    total = sum(len(batch.rows) for batch in generated.values())
    bar = ProgressBar(write, "Inserting", total, "entries")
    written = 0
    for plan in plans:
        batch = generated[plan.slug]
        written += assistance_requests_bulk_create(
            association=associations[plan.slug], rows=batch.rows, on_batch=bar.advance
        )
        batch.rows.clear()  # the entries are written: let their rows go
    bar.finish()
    return written


def _insert_attempts(plans, associations, generated: dict) -> int:
    """The contact attempts made before the entries, through their bulk service."""
    written = 0
    for plan in plans:
        batch = generated.pop(plan.slug)
        written += contact_attempts_bulk_create(
            association=associations[plan.slug], rows=batch.attempts
        )
    return written


def seed_demo(
    *,
    association_count: int = DEFAULT_ASSOCIATIONS,
    entries: int = DEFAULT_ENTRIES,
    seed: int = DEFAULT_SEED,
    password: str = DEMO_PASSWORD,
    write: Callable[[str], None] | None = None,
) -> SeedResult:
    """(Re)build the demo: same seed and same day, same data. All or nothing."""
    started = time.monotonic()
    cfg = load_config()
    start, end = demo_period(timezone.localdate())
    plans = association_plans(cfg, association_count)
    fte = scaled_fte(cfg, plans, start, end, entries)
    say = write or (lambda text: None)
    with _sql_log_off(), transaction.atomic():
        say("Setting up the federation, associations and members...\n")
        cleared = clear_demo_entries(cfg)
        associations = ensure_structure(cfg, plans, password)
        institutions = list(Institution.objects.filter(added_by__isnull=True))

        generated = _generate(cfg, plans, associations, institutions, fte, seed, start, end, write)
        persons = _insert_persons(generated)
        say("Recording the persons' mandates...\n")
        _insert_mandates(associations.values(), start)
        contacts = sum(batch.contacts for batch in generated.values())
        written = _insert_entries(plans, associations, generated, write)
        say("Logging the contact attempts...\n")
        attempts = _insert_attempts(plans, associations, generated)
        # Without a broker the monthly figures are recomputed in-process on commit: say why
        # the command is still busy.
        say("Committing...\n")
    return SeedResult(
        associations=len(plans),
        persons=persons,
        entries=written,
        contacts=contacts,
        cleared=cleared,
        seconds=time.monotonic() - started,
        attempts=attempts,
    )
