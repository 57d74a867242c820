"""Evidence bundles: how an association on its own server feeds its federation.

The association's server exports its rollups for a period (cells only: no entry, no person,
no narrative) as canonical JSON signed with the association's Ed25519 key. The federation's
server registers that public key once, then imports each bundle: it refuses a file that is
not byte for byte what was signed, a key it does not know, a bundle it already accepted or
one older than the last it accepted, and anything that does not fit the schema. An accepted
bundle replaces the association's cells for the bundle's months, and the aggregates sum those
cells alongside the local members' rollups.
"""

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from decimal import Decimal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from cases.models import MAX_DURATION, MIN_DURATION
from freshness.models import DirtyMonth
from organisations.models import Association, Federation, FederationMembership
from referrals.models import INSTITUTION_KINDS, Institution
from referrals.services import institution_create
from workload.metrics import METRICS_VERSION
from workload.models import (
    COUNT_METRICS,
    DIMENSIONS,
    INSTITUTION_DIMENSIONS,
    TOTAL,
    Job,
    Rollup,
)
from workload.selectors import MONTH_RE, Period, period_parse
from workload.services import job_create, job_run, rollups_recompute

from .canonical import canonical_json
from .models import AssociationSigningKey, ImportedBundle, ImportedCell, RemoteAssociation

FORMAT = "aide-numerique/evidence-bundle"
FORMAT_VERSION = 1
IMPORT_BATCH_SIZE = 2000
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}\Z")
# A bundle of ten years of a large association is a few megabytes; anything far larger is
# not one, and is refused before it is parsed.
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
# envelope > payload > cells > cell: nothing in a bundle is nested deeper.
MAX_DEPTH = 4
# How far a sender's clock may run ahead of this server's: a bundle issued later than this
# is refused, or it would make every later genuine bundle look like a replay.
CLOCK_SKEW = dt.timedelta(minutes=15)
COST_RE = re.compile(r"^[0-9]{1,4}(\.[0-9]{1,2})?\Z")
INSTITUTION_ID_RE = re.compile(r"^[0-9]{1,18}\Z")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# The columns of the rollups: counts beyond this cannot be stored.
MAX_REQUESTS = 2**31 - 1


class BundleRefused(Exception):
    """A bundle the federation will not import; the message is the one-line reason."""


# --- Keys ------------------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _public_key_from_text(text: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(text, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError, TypeError):
        raise ValidationError(
            {"public_key": ["Give the Ed25519 public key as 44 characters of base64."]}
        ) from None


@transaction.atomic
def signing_key_get_or_create(*, association: Association, rotate: bool = False):
    """The association's key pair, made on first use (or anew with `rotate`)."""
    key = AssociationSigningKey.objects.select_for_update().filter(association=association).first()
    if key is not None and not rotate:
        return key, False
    private = Ed25519PrivateKey.generate()
    private_raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public_raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    if key is not None:
        key.delete()
    key = AssociationSigningKey.objects.create(
        association=association, private_key=_b64(private_raw), public_key=_b64(public_raw)
    )
    return key, True


@transaction.atomic
def remote_association_register(
    *, federation: Federation, slug: str, public_key: str, name: str = ""
) -> tuple[RemoteAssociation, bool]:
    """The federation trusts bundles signed by this key for this association (idempotent;
    run again with a new key after the association rotated its key)."""
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise ValidationError(
            {"association": ["Use lower-case letters, digits and hyphens (60 at most)."]}
        )
    public_key = (public_key or "").strip()
    _public_key_from_text(public_key)
    remote, created = RemoteAssociation.objects.update_or_create(
        federation=federation, slug=slug, defaults={"public_key": public_key}
    )
    if name and remote.name != name:
        RemoteAssociation.objects.filter(pk=remote.pk).update(name=name)
        remote.name = name
    return remote, created


# --- Export ----------------------------------------------------------------------------------


def _institutions_of(cells: list[dict]) -> dict:
    ids = {
        int(cell["group"])
        for cell in cells
        if cell["dimension"] in INSTITUTION_DIMENSIONS and cell["group"]
    }
    return {
        str(i.pk): {"code": i.code, "name": i.name, "kind": i.kind, "postcode": i.postcode}
        for i in Institution.objects.filter(pk__in=ids)
    }


def bundle_build(*, association: Association, federation_slug: str, period: Period) -> bytes:
    """The signed bundle of an association's rollups for a period, as bytes to write."""
    membership = FederationMembership.objects.filter(
        association=association, federation__slug=federation_slug
    ).first()
    if membership is not None and not membership.shares_aggregates:
        raise ValidationError(
            {"federation": ["The association does not share its figures with this federation."]}
        )
    # The log is the truth: bring stale months up to date before they leave the server.
    dirty = list(
        DirtyMonth.objects.filter(
            association=association, month__gte=period.start, month__lte=period.end
        ).values_list("month", flat=True)
    )
    if dirty:
        rollups_recompute(association_id=association.pk, months=dirty)
    key, _created = signing_key_get_or_create(association=association)
    rows = (
        Rollup.objects.filter(
            association=association, month__gte=period.start, month__lte=period.end
        )
        .order_by("month", "dimension", "group_key")
        .values("month", "dimension", "group_key", "hourly_cost_eur", *COUNT_METRICS)
    )
    cells = [
        {
            "month": row["month"],
            "dimension": row["dimension"],
            "group": row["group_key"],
            "hourly_cost_eur": str(row["hourly_cost_eur"]),
            **{name: row[name] for name in COUNT_METRICS},
        }
        for row in rows
    ]
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "bundle_id": uuid.uuid4().hex,
        "issued_at": timezone.now().astimezone(dt.UTC).isoformat(),
        "association": {"slug": association.slug, "name": association.name},
        "federation": federation_slug,
        "from": period.start,
        "to": period.end,
        "metrics_version": METRICS_VERSION,
        "institutions": _institutions_of(cells),
        "cells": cells,
    }
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(key.private_key))
    signature = private.sign(canonical_json(payload))
    return (
        canonical_json(
            {"payload": payload, "public_key": key.public_key, "signature": _b64(signature)}
        )
        + b"\n"
    )


# --- Import ----------------------------------------------------------------------------------


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number of a bundle")


def _check_shape(value) -> None:
    """Refuse nesting deeper than a bundle's and control characters in any text (a NUL
    cannot even be stored), without recursion: the check must not fail on what it checks."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list) and depth > MAX_DEPTH:
            raise BundleRefused("malformed: nested deeper than a bundle is")
        if isinstance(item, dict):
            for key, child in item.items():
                if CONTROL_RE.search(key):
                    raise BundleRefused("malformed: a control character in a name")
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str) and CONTROL_RE.search(item):
            raise BundleRefused("malformed: a control character in a text")


def _parse_envelope(data: bytes) -> dict:
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleRefused(f"malformed: larger than {MAX_BUNDLE_BYTES // 2**20} MB")
    try:
        bundle = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError):
        raise BundleRefused("malformed: the file is not JSON") from None
    except RecursionError:
        raise BundleRefused("malformed: nested deeper than a bundle is") from None
    _check_shape(bundle)
    if not isinstance(bundle, dict) or set(bundle) != {"payload", "public_key", "signature"}:
        raise BundleRefused("malformed: expected payload, public_key and signature")
    if not isinstance(bundle["payload"], dict):
        raise BundleRefused("malformed: the payload is not an object")
    # Every byte counts: a file that is not exactly what was signed was changed since.
    if data != canonical_json(bundle) + b"\n":
        raise BundleRefused("tampered: the file is not the signed canonical text")
    return bundle


def _verify(bundle: dict, remote: RemoteAssociation) -> None:
    if bundle["public_key"] != remote.public_key:
        raise BundleRefused("refused: signed with a key that is not the registered one")
    try:
        signature = base64.b64decode(bundle["signature"], validate=True)
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(remote.public_key))
        key.verify(signature, canonical_json(bundle["payload"]))
    except (binascii.Error, ValueError, TypeError, InvalidSignature):
        raise BundleRefused("tampered: the signature does not match the content") from None


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_REQUESTS


PAYLOAD_FIELDS = {
    "format",
    "format_version",
    "bundle_id",
    "issued_at",
    "association",
    "federation",
    "from",
    "to",
    "metrics_version",
    "institutions",
    "cells",
}
CELL_FIELDS = {"month", "dimension", "group", "hourly_cost_eur", *COUNT_METRICS}
# (part, whole): a cell can never count more of the part than of the whole (METRICS.md: the
# classes nest, and every entry lasts 1 to 1440 minutes).
CELL_BOUNDS = (
    ("external_requests", "requests"),
    ("digital_requests", "requests"),
    ("transferred_requests", "external_requests"),
    ("transferred_requests", "digital_requests"),
    ("referred_transferred_requests", "transferred_requests"),
    ("do_for_requests", "requests"),
    ("without_consent_do_for", "do_for_requests"),
    ("do_for_without_mandate", "do_for_requests"),
    ("non_take_up", "requests"),
    ("postponed_technical", "requests"),
    ("once_only_violations", "digital_requests"),
    ("sensitive_handling", "requests"),
    ("external_minutes", "minutes"),
    ("digital_minutes", "minutes"),
    ("transferred_minutes", "external_minutes"),
    ("transferred_minutes", "digital_minutes"),
    ("referred_transferred_minutes", "transferred_minutes"),
    ("rights_at_risk", "requests"),
    ("rights_lost", "rights_at_risk"),
    ("failed_attempts", "attempts"),
    ("owed_attempts", "failed_attempts"),
)
MINUTES_OF = {
    "requests": "minutes",
    "external_requests": "external_minutes",
    "digital_requests": "digital_minutes",
    "transferred_requests": "transferred_minutes",
    "referred_transferred_requests": "referred_transferred_minutes",
}


def _issued_at(value) -> dt.datetime:
    """The issue time, refused when it is not a time this server can store and compare, or
    lies ahead of this server's clock."""
    try:
        issued_at = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise BundleRefused("malformed: issued_at") from None
    if issued_at.tzinfo is None:
        raise BundleRefused("malformed: issued_at has no time zone")
    try:
        issued_at = issued_at.astimezone(dt.UTC)
    except OverflowError:
        raise BundleRefused("malformed: issued_at is out of range") from None
    latest_possible = timezone.now() + CLOCK_SKEW
    if issued_at > latest_possible:
        raise BundleRefused(
            f"refused: issued {issued_at.isoformat()}, later than this server's clock allows "
            f"({latest_possible.isoformat(timespec='seconds')})"
        )
    return issued_at


def _check_header(payload: dict) -> tuple[Period, dt.datetime]:
    if set(payload) != PAYLOAD_FIELDS:
        raise BundleRefused("malformed: unexpected or missing fields in the payload")
    if payload["format"] != FORMAT or payload["format_version"] != FORMAT_VERSION:
        raise BundleRefused("malformed: not an evidence bundle of format version 1")
    if payload["metrics_version"] != METRICS_VERSION:
        raise BundleRefused(
            f"refused: metric definitions {payload['metrics_version']!r}, "
            f"this server computes {METRICS_VERSION!r}"
        )
    if not isinstance(payload["bundle_id"], str) or not re.match(
        r"^[0-9a-f]{32}\Z", payload["bundle_id"]
    ):
        raise BundleRefused("malformed: bundle_id")
    issued_at = _issued_at(payload["issued_at"])
    try:
        period = period_parse(payload["from"], payload["to"])
    except ValidationError:
        raise BundleRefused("malformed: the period (from, to)") from None
    return period, issued_at


def _check_institutions(institutions) -> None:
    if not isinstance(institutions, dict):
        raise BundleRefused("malformed: institutions")
    for ident, institution in institutions.items():
        if (
            not INSTITUTION_ID_RE.match(ident)
            or not isinstance(institution, dict)
            or set(institution) != {"code", "name", "kind", "postcode"}
            or not isinstance(institution["name"], str)
            or not institution["name"].strip()
            or institution["kind"] not in INSTITUTION_KINDS
            or not isinstance(institution["postcode"], str)
            or not (institution["code"] is None or isinstance(institution["code"], str))
        ):
            raise BundleRefused(f"malformed: institution {ident}")


def _count_problem(cell: dict) -> str | None:
    """What makes a cell's counts impossible, or None: a part larger than its whole, or
    minutes that entries of 1 to 1440 minutes cannot add up to."""
    if cell["requests"] + cell["attempts"] < 1:
        return "a cell counts at least one request or contact attempt"
    for part, whole in CELL_BOUNDS:
        if cell[part] > cell[whole]:
            return f"{part} exceeds {whole}"
    for requests, minutes in MINUTES_OF.items():
        if not MIN_DURATION * cell[requests] <= cell[minutes] <= MAX_DURATION * cell[requests]:
            return f"{minutes} cannot be the minutes of {cell[requests]} {requests}"
    return None


def _check_cell(cell, where: str, period: Period, institutions: dict) -> None:
    if not isinstance(cell, dict) or set(cell) != CELL_FIELDS:
        raise BundleRefused(f"{where}: unexpected or missing fields")
    if not isinstance(cell["month"], str) or not MONTH_RE.match(cell["month"]):
        raise BundleRefused(f"{where}: month")
    if not period.start <= cell["month"] <= period.end:
        raise BundleRefused(f"{where}: month outside the period")
    if cell["dimension"] not in (TOTAL, *DIMENSIONS):
        raise BundleRefused(f"{where}: dimension")
    group = cell["group"]
    if not isinstance(group, str) or len(group) > 40:
        raise BundleRefused(f"{where}: group")
    if cell["dimension"] == TOTAL and group != "":
        raise BundleRefused(f"{where}: the total has no group")
    if cell["dimension"] in INSTITUTION_DIMENSIONS and group and group not in institutions:
        raise BundleRefused(f"{where}: unknown institution {group}")
    # The text first: Decimal() reads "NaN" and "Infinity", which no comparison survives.
    cost = cell["hourly_cost_eur"]
    if not (isinstance(cost, str) and COST_RE.match(cost) and Decimal(cost) > 0):
        raise BundleRefused(f"{where}: hourly_cost_eur")
    if not all(_is_count(cell[name]) for name in COUNT_METRICS):
        raise BundleRefused(f"{where}: counts must be non-negative integers")
    problem = _count_problem(cell)
    if problem:
        raise BundleRefused(f"{where}: {problem}")


def _check_payload(payload: dict) -> tuple[Period, dt.datetime]:
    """Raise BundleRefused naming the first thing that does not fit the schema."""
    period, issued_at = _check_header(payload)
    institutions = payload["institutions"]
    _check_institutions(institutions)
    cells = payload["cells"]
    if not isinstance(cells, list):
        raise BundleRefused("malformed: cells")
    seen = set()
    for position, cell in enumerate(cells, start=1):
        where = f"malformed: cell {position}"
        _check_cell(cell, where, period, institutions)
        key = (cell["month"], cell["dimension"], cell["group"])
        if key in seen:
            raise BundleRefused(f"{where}: duplicate cell")
        seen.add(key)
    return period, issued_at


def _local_institution_ids(institutions: dict) -> dict[str, str]:
    """Institution ids of the sending server → ids in this server's registry, matching the
    taxonomy code first, then the name and postcode; an unknown body joins the registry."""
    mapping = {}
    for ident, data in institutions.items():
        found = None
        if data["code"]:
            found = Institution.objects.filter(code=data["code"]).first()
        if found is None:
            found = Institution.objects.filter(
                name__iexact=data["name"].strip(), postcode=data["postcode"]
            ).first()
        if found is None:
            # A public body or firm the sender added to its registry joins this one.
            try:
                found = institution_create(
                    name=data["name"], kind=data["kind"], postcode=data["postcode"]
                )
            except ValidationError:
                raise BundleRefused(f"malformed: institution {ident}") from None
        mapping[ident] = str(found.pk)
    return mapping


def _addressing(payload: dict, federation: Federation | None) -> tuple[str, str]:
    association = payload.get("association")
    if (
        not isinstance(association, dict)
        or not isinstance(association.get("slug"), str)
        or not isinstance(payload.get("federation"), str)
    ):
        raise BundleRefused("malformed: association or federation")
    slug, federation_slug = association["slug"], payload["federation"]
    if federation is not None and federation.slug != federation_slug:
        raise BundleRefused(f"refused: the bundle is addressed to {federation_slug!r}")
    return slug, federation_slug


def _check_not_replayed(remote: RemoteAssociation, bundle_id: str, issued_at) -> None:
    if ImportedBundle.objects.filter(bundle_id=bundle_id).exists():
        raise BundleRefused(f"replayed: bundle {bundle_id} was already imported")
    # A bundle accepted with a future date (before such dates were refused) must not block
    # every genuine bundle after it: only dates this server's clock has reached count.
    latest = (
        remote.bundles.filter(issued_at__lte=timezone.now() + CLOCK_SKEW)
        .order_by("-issued_at")
        .first()
    )
    if latest is not None and issued_at <= latest.issued_at:
        raise BundleRefused(
            f"replayed: issued {issued_at.isoformat()}, not after the last accepted bundle "
            f"({latest.issued_at.isoformat()})"
        )


def _merged_cells(remote: RemoteAssociation, cells: list, institutions: dict) -> list:
    merged: dict[tuple, ImportedCell] = {}
    for cell in cells:
        group = cell["group"]
        if cell["dimension"] in INSTITUTION_DIMENSIONS and group:
            group = institutions[group]
        key = (cell["month"], cell["dimension"], group)
        if key in merged:
            # Two bodies of the sender that are one body here: one cell.
            for name in COUNT_METRICS:
                setattr(merged[key], name, getattr(merged[key], name) + cell[name])
            if merged[key].requests > MAX_REQUESTS:
                raise BundleRefused(f"malformed: more requests than a cell can hold in {key}")
            continue
        merged[key] = ImportedCell(
            source=remote,
            month=cell["month"],
            dimension=cell["dimension"],
            group_key=group,
            hourly_cost_eur=Decimal(cell["hourly_cost_eur"]),
            **{name: cell[name] for name in COUNT_METRICS},
        )
    return list(merged.values())


def bundle_import(
    data: bytes,
    *,
    federation: Federation | None = None,
    actor=None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportedBundle:
    """Verify and import one bundle; raise BundleRefused with a one-line reason.

    With `federation`, the bundle must be addressed to it; without, to a federation of this
    server. An accepted bundle is recorded in the audit trail in the same transaction.
    """
    progress = on_progress or (lambda _percent: None)
    bundle = _parse_envelope(data)
    payload = bundle["payload"]
    slug, federation_slug = _addressing(payload, federation)
    progress(10)
    with transaction.atomic():
        # Locking the registration serialises two imports of one association.
        remote = (
            RemoteAssociation.objects.select_for_update()
            .filter(federation__slug=federation_slug, slug=slug)
            .first()
        )
        if remote is None:
            raise BundleRefused(
                f"refused: no key is registered for {slug!r} in federation {federation_slug!r}"
            )
        _verify(bundle, remote)
        period, issued_at = _check_payload(payload)
        _check_not_replayed(remote, payload["bundle_id"], issued_at)
        progress(40)
        institutions = _local_institution_ids(payload["institutions"])
        cells = _merged_cells(remote, payload["cells"], institutions)
        ImportedCell.objects.filter(
            source=remote, month__gte=period.start, month__lte=period.end
        ).delete()
        ImportedCell.objects.bulk_create(cells, batch_size=IMPORT_BATCH_SIZE)
        progress(90)
        name = payload["association"].get("name")
        if isinstance(name, str) and name and name != remote.name:
            RemoteAssociation.objects.filter(pk=remote.pk).update(name=name[:200])
        imported = ImportedBundle.objects.create(
            source=remote,
            bundle_id=payload["bundle_id"],
            issued_at=issued_at,
            period_start=period.start,
            period_end=period.end,
            cells=len(cells),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        audit.evidence_bundle_imported(bundle=imported, actor=actor)
        return imported


def bundle_import_job(data: bytes, *, filename: str = "", actor=None) -> Job:
    """Import one bundle as a job of the workload app: its state, progress and result (or
    the one-line reason of a refusal, as the job's error list) stay on record."""
    job = job_create(
        kind=Job.Kind.IMPORT,
        association=None,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        params={
            "format": FORMAT,
            "file": filename[:200],
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )

    def work(job: Job, on_progress: Callable[[int], None]) -> dict:
        try:
            imported = bundle_import(data, actor=actor, on_progress=on_progress)
        except BundleRefused as exc:
            # A refusal is bad input: the job fails with the reason and is not retried.
            raise ValidationError(str(exc)) from None
        return {
            "bundle_id": imported.bundle_id,
            "association": imported.source.slug,
            "from": imported.period_start,
            "to": imported.period_end,
            "cells": imported.cells,
        }

    return job_run(job.pk, work)


def job_refusal(job: Job) -> str:
    """The one-line reason a bundle import job was refused."""
    errors = job.result.get("errors") or [{"message": job.error}]
    return errors[0]["message"]
