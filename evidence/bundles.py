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
from decimal import Decimal, InvalidOperation

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
    Rollup,
)
from workload.selectors import MONTH_RE, Period, period_parse
from workload.services import rollups_recompute

from .canonical import canonical_json
from .models import AssociationSigningKey, ImportedBundle, ImportedCell, RemoteAssociation

FORMAT = "aide-numerique/evidence-bundle"
FORMAT_VERSION = 1
IMPORT_BATCH_SIZE = 2000
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}\Z")


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


def _parse_envelope(data: bytes) -> dict:
    try:
        bundle = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BundleRefused("malformed: the file is not JSON") from None
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
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53


def _check_payload(payload: dict) -> tuple[Period, dt.datetime]:
    """Raise BundleRefused naming the first thing that does not fit the schema."""
    expected = {
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
    if set(payload) != expected:
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
    try:
        issued_at = dt.datetime.fromisoformat(payload["issued_at"])
    except (TypeError, ValueError):
        raise BundleRefused("malformed: issued_at") from None
    if issued_at.tzinfo is None:
        raise BundleRefused("malformed: issued_at has no time zone")
    try:
        period = period_parse(payload["from"], payload["to"])
    except ValidationError:
        raise BundleRefused("malformed: the period (from, to)") from None
    institutions = payload["institutions"]
    if not isinstance(institutions, dict):
        raise BundleRefused("malformed: institutions")
    for ident, institution in institutions.items():
        if (
            not ident.isdigit()
            or not isinstance(institution, dict)
            or set(institution) != {"code", "name", "kind", "postcode"}
            or not isinstance(institution["name"], str)
            or not institution["name"].strip()
            or institution["kind"] not in INSTITUTION_KINDS
            or not isinstance(institution["postcode"], str)
            or not (institution["code"] is None or isinstance(institution["code"], str))
        ):
            raise BundleRefused(f"malformed: institution {ident}")
    cells = payload["cells"]
    if not isinstance(cells, list):
        raise BundleRefused("malformed: cells")
    cell_fields = {"month", "dimension", "group", "hourly_cost_eur", *COUNT_METRICS}
    seen = set()
    for position, cell in enumerate(cells, start=1):
        where = f"malformed: cell {position}"
        if not isinstance(cell, dict) or set(cell) != cell_fields:
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
        try:
            cost = Decimal(cell["hourly_cost_eur"])
        except (InvalidOperation, TypeError):
            raise BundleRefused(f"{where}: hourly_cost_eur") from None
        if not (isinstance(cell["hourly_cost_eur"], str) and Decimal(0) < cost < Decimal(10000)):
            raise BundleRefused(f"{where}: hourly_cost_eur")
        if not all(_is_count(cell[name]) for name in COUNT_METRICS):
            raise BundleRefused(f"{where}: counts must be non-negative integers")
        if cell["requests"] < 1:
            raise BundleRefused(f"{where}: a cell counts at least one request")
        key = (cell["month"], cell["dimension"], group)
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


def bundle_import(data: bytes, *, federation: Federation | None = None) -> ImportedBundle:
    """Verify and import one bundle; raise BundleRefused with a one-line reason.

    With `federation`, the bundle must be addressed to it; without, to a federation of this
    server.
    """
    bundle = _parse_envelope(data)
    payload = bundle["payload"]
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
        if ImportedBundle.objects.filter(bundle_id=payload["bundle_id"]).exists():
            raise BundleRefused(f"replayed: bundle {payload['bundle_id']} was already imported")
        latest = remote.bundles.order_by("-issued_at").first()
        if latest is not None and issued_at <= latest.issued_at:
            raise BundleRefused(
                f"replayed: issued {issued_at.isoformat()}, not after the last accepted bundle "
                f"({latest.issued_at.isoformat()})"
            )
        institutions = _local_institution_ids(payload["institutions"])
        ImportedCell.objects.filter(
            source=remote, month__gte=period.start, month__lte=period.end
        ).delete()
        merged: dict[tuple, ImportedCell] = {}
        for cell in payload["cells"]:
            group = cell["group"]
            if cell["dimension"] in INSTITUTION_DIMENSIONS and group:
                group = institutions[group]
            key = (cell["month"], cell["dimension"], group)
            if key in merged:
                # Two bodies of the sender that are one body here: one cell.
                for name in COUNT_METRICS:
                    setattr(merged[key], name, getattr(merged[key], name) + cell[name])
                continue
            merged[key] = ImportedCell(
                source=remote,
                month=cell["month"],
                dimension=cell["dimension"],
                group_key=group,
                hourly_cost_eur=Decimal(cell["hourly_cost_eur"]),
                **{name: cell[name] for name in COUNT_METRICS},
            )
        cells = list(merged.values())
        ImportedCell.objects.bulk_create(cells, batch_size=IMPORT_BATCH_SIZE)
        name = association.get("name")
        if isinstance(name, str) and name and name != remote.name:
            RemoteAssociation.objects.filter(pk=remote.pk).update(name=name[:200])
        return ImportedBundle.objects.create(
            source=remote,
            bundle_id=payload["bundle_id"],
            issued_at=issued_at,
            period_start=period.start,
            period_end=period.end,
            cells=len(cells),
            sha256=hashlib.sha256(data).hexdigest(),
        )
