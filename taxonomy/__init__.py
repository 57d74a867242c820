"""The code lists of the domain (taxonomy.yaml), loaded once and validated at start-up.

The codes are the stable identifiers that every log entry, rollup and export speaks; their
labels come in French, Dutch and English. The YAML is the project's own copy: the product
never reads anything outside its tree.
"""

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

TAXONOMY_FILE = Path(__file__).with_name("taxonomy.yaml")
LANGUAGES = ("fr", "nl", "en")
# Labels in a further language for some sections only (what a receipt prints): a code
# without one is labelled in French.
EXTRA_LABEL_FILES = {"de": Path(__file__).with_name("labels_de.yaml")}

# The sections published by GET /api/v1/taxonomy/ and checked by the start-up validation.
CODE_SECTIONS = (
    "referrer_types",
    "procedure_domains",
    "digital_barriers",
    "assistance_modes",
    "outcomes",
    "channels",
    "sensitive_data_flags",
    "consent_types",
    "rights_impacts",
    "non_take_up_types",
    "attempt_channels",
    "attempt_results",
    "regions",
)

# Kinds of responsible body whose procedure is not another institution's (METRICS.md).
NON_EXTERNAL_KINDS = frozenset({"association", "self", "entourage", "unknown"})
NON_TAKE_UP_OUTCOMES = frozenset({"abandoned", "impossible", "rights_lost"})


class TaxonomyError(ValueError):
    """The code list is broken: the application must not start on it."""


@dataclass(frozen=True)
class Code:
    code: str
    labels: dict
    parent: str | None = None
    extra: dict = field(default_factory=dict)

    def label(self, language: str) -> str:
        return self.labels.get(language[:2]) or self.labels["fr"]


@dataclass(frozen=True)
class Taxonomy:
    version: str
    sections: dict  # section name -> tuple[Code, ...] (children flattened after their parent)
    institutions: tuple
    index: dict = field(default_factory=dict, repr=False)  # section -> {code: Code}

    def codes(self, section: str) -> tuple[str, ...]:
        return tuple(c.code for c in self.sections[section])

    def get(self, section: str, code: str) -> Code | None:
        return self.index[section].get(code)

    def label(self, section: str, code: str, language: str = "fr") -> str:
        entry = self.get(section, code)
        return entry.label(language) if entry else code

    def choices(self, section: str, language: str = "fr") -> list[tuple[str, str]]:
        return [(c.code, c.label(language)) for c in self.sections[section]]


def procedure_root(code: str) -> str:
    """`tax.pit_return` counts under `tax` (METRICS.md)."""
    return code.split(".", 1)[0]


def parse(raw: dict) -> Taxonomy:
    """Build and validate a taxonomy; raise TaxonomyError naming the first broken entry."""
    pattern = re.compile(raw["meta"]["code_format"]["pattern"])
    sections = {}
    for name in CODE_SECTIONS:
        entries = raw.get(name)
        if not isinstance(entries, list) or not entries:
            raise TaxonomyError(f"section {name!r} is missing or empty")
        flat = []
        for item in entries:
            flat.append(_code(name, item, pattern, parent=None))
            for child in item.get("children", []) or []:
                flat.append(_code(name, child, pattern, parent=item["code"]))
        seen = set()
        for entry in flat:
            if entry.code in seen:
                raise TaxonomyError(f"{name}: code {entry.code!r} appears twice")
            seen.add(entry.code)
        sections[name] = tuple(flat)

    kinds = {c.code for c in sections["referrer_types"]}
    institutions = []
    for item in raw.get("institutions", []):
        entry = _code("institutions", item, pattern, parent=None)
        if item.get("category") not in kinds:
            raise TaxonomyError(f"institutions: {entry.code!r} has unknown category")
        institutions.append(entry)
    return Taxonomy(
        version=str(raw["meta"]["taxonomy_version"]),
        sections=sections,
        institutions=tuple(institutions),
        index={name: {c.code: c for c in entries} for name, entries in sections.items()},
    )


def _code(section: str, item: dict, pattern: re.Pattern, parent: str | None) -> Code:
    code = item.get("code") if isinstance(item, dict) else None
    if not isinstance(code, str) or not pattern.match(code):
        raise TaxonomyError(f"{section}: malformed code {code!r}")
    if parent and not code.startswith(parent + "."):
        raise TaxonomyError(f"{section}: child {code!r} does not start with {parent!r}.")
    labels = item.get("label") or {}
    missing = [lang for lang in LANGUAGES if not str(labels.get(lang) or "").strip()]
    if missing:
        raise TaxonomyError(f"{section}: {code!r} has no label in {', '.join(missing)}")
    extra = {k: v for k, v in item.items() if k not in ("code", "label", "children")}
    return Code(
        code=code, labels={lang: labels[lang] for lang in LANGUAGES}, parent=parent, extra=extra
    )


def with_extra_labels(taxonomy: Taxonomy, language: str, extra: dict) -> Taxonomy:
    """The taxonomy with `extra` ({section: {code: label}}) as its labels in `language`; a
    section or code that the taxonomy does not have is an error, as is an empty label."""
    for section, labels in extra.items():
        if section not in taxonomy.index:
            raise TaxonomyError(f"{language} labels: unknown section {section!r}")
        for code, label in (labels or {}).items():
            if code not in taxonomy.index[section]:
                raise TaxonomyError(f"{language} labels: {section}: unknown code {code!r}")
            if not str(label or "").strip():
                raise TaxonomyError(f"{language} labels: {section}: {code!r} has no label")
    sections = {
        name: tuple(
            Code(
                code=c.code,
                labels={**c.labels, language: extra[name][c.code]}
                if c.code in (extra.get(name) or {})
                else c.labels,
                parent=c.parent,
                extra=c.extra,
            )
            for c in codes
        )
        for name, codes in taxonomy.sections.items()
    }
    return Taxonomy(
        version=taxonomy.version,
        sections=sections,
        institutions=taxonomy.institutions,
        index={name: {c.code: c for c in entries} for name, entries in sections.items()},
    )


@cache
def get_taxonomy() -> Taxonomy:
    with TAXONOMY_FILE.open(encoding="utf-8") as handle:
        taxonomy = parse(yaml.safe_load(handle))
    for language, path in EXTRA_LABEL_FILES.items():
        with path.open(encoding="utf-8") as handle:
            taxonomy = with_extra_labels(taxonomy, language, yaml.safe_load(handle) or {})
    return taxonomy
