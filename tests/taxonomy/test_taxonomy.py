"""The code lists: every code labelled in French, Dutch and English, children under their
parent, and a broken list refused at start-up with the broken entry named."""

import copy

import pytest
import yaml

from taxonomy import (
    CODE_SECTIONS,
    LANGUAGES,
    TAXONOMY_FILE,
    TaxonomyError,
    get_taxonomy,
    parse,
    procedure_root,
    with_extra_labels,
)


@pytest.fixture(scope="module")
def raw():
    with TAXONOMY_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture
def broken(raw):
    """A fresh copy of the raw taxonomy, to break."""
    return copy.deepcopy(raw)


def all_codes():
    taxonomy = get_taxonomy()
    return [(section, entry) for section in CODE_SECTIONS for entry in taxonomy.sections[section]]


def test_every_published_section_has_codes():
    taxonomy = get_taxonomy()
    for section in CODE_SECTIONS:
        assert taxonomy.codes(section), section


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_code_of_every_section_has_a_label_in_each_language(language):
    unlabelled = [
        f"{section}:{entry.code}"
        for section, entry in all_codes()
        if not entry.labels.get(language, "").strip()
    ]
    assert unlabelled == []


def test_every_child_code_starts_with_its_parent_code():
    children = [(s, e) for s, e in all_codes() if e.parent]
    assert children, "the procedures have children"
    for _section, entry in children:
        assert entry.code.startswith(entry.parent + "."), entry.code


def test_codes_are_unique_within_each_section():
    taxonomy = get_taxonomy()
    for section in CODE_SECTIONS:
        codes = taxonomy.codes(section)
        assert len(codes) == len(set(codes)), section


def test_a_procedure_counts_under_its_domain():
    assert procedure_root("tax.pit_return") == "tax"
    assert procedure_root("tax") == "tax"
    assert get_taxonomy().get("procedure_domains", "tax.pit_return").parent == "tax"
    assert get_taxonomy().get("procedure_domains", "tax").parent is None


def test_a_label_falls_back_to_french_and_an_unknown_code_to_itself():
    taxonomy = get_taxonomy()
    assert taxonomy.label("referrer_types", "cpas", "nl") == "OCMW"
    assert taxonomy.label("referrer_types", "cpas", "tr") == "CPAS"
    assert taxonomy.label("outcomes", "resolved", "de") == taxonomy.label("outcomes", "resolved")
    assert taxonomy.label("referrer_types", "nope", "fr") == "nope"


def test_what_a_receipt_prints_has_german_labels():
    taxonomy = get_taxonomy()
    assert taxonomy.label("referrer_types", "cpas", "de") == "ÖSHZ"
    assert taxonomy.label("procedure_domains", "tax.pit_return", "de") == (
        "Einkommensteuererklärung"
    )
    for section in ("procedure_domains", "referrer_types"):
        for code in taxonomy.sections[section]:
            assert code.labels.get("de", "").strip(), (section, code.code)


def test_german_labels_of_an_unknown_code_stop_the_start_up():
    with pytest.raises(TaxonomyError, match="unknown code"):
        with_extra_labels(get_taxonomy(), "de", {"outcomes": {"nope": "Nein"}})


def test_every_institution_of_the_taxonomy_has_a_known_kind():
    taxonomy = get_taxonomy()
    kinds = set(taxonomy.codes("referrer_types"))
    assert taxonomy.institutions
    for item in taxonomy.institutions:
        assert item.extra["category"] in kinds, item.code


def test_the_file_of_the_project_parses(raw):
    assert parse(raw).codes("channels") == get_taxonomy().codes("channels")


# --- A broken taxonomy is refused, naming the entry ------------------------------------------


def test_a_missing_dutch_label_is_refused_naming_the_code_and_language(broken):
    del broken["channels"][1]["label"]["nl"]
    code = broken["channels"][1]["code"]
    with pytest.raises(TaxonomyError, match=rf"channels.*'{code}'.*nl"):
        parse(broken)


def test_a_blank_english_label_of_a_child_is_refused(broken):
    child = broken["procedure_domains"][0]["children"][0]
    child["label"]["en"] = "  "
    with pytest.raises(TaxonomyError, match=rf"'{child['code']}'.*en"):
        parse(broken)


@pytest.mark.parametrize("code", ["Phone", "on site", "1phone", "a.b.c", "", None])
def test_a_malformed_code_is_refused_naming_it(broken, code):
    broken["channels"][0]["code"] = code
    with pytest.raises(TaxonomyError) as exc_info:
        parse(broken)
    assert "channels" in str(exc_info.value)
    assert repr(code) in str(exc_info.value)


def test_a_duplicate_code_is_refused_naming_it(broken):
    broken["outcomes"].append(copy.deepcopy(broken["outcomes"][0]))
    code = broken["outcomes"][0]["code"]
    with pytest.raises(TaxonomyError, match=rf"outcomes.*'{code}'.*twice"):
        parse(broken)


def test_a_child_not_prefixed_by_its_parent_is_refused_naming_it(broken):
    domain = broken["procedure_domains"][0]
    domain["children"][0]["code"] = "unemp.pit_return"
    with pytest.raises(TaxonomyError, match=r"'unemp\.pit_return'.*'tax'"):
        parse(broken)


def test_a_missing_section_is_refused_naming_it(broken):
    del broken["regions"]
    with pytest.raises(TaxonomyError, match="regions"):
        parse(broken)


def test_an_institution_of_an_unknown_category_is_refused_naming_it(broken):
    broken["institutions"][0]["category"] = "martians"
    code = broken["institutions"][0]["code"]
    with pytest.raises(TaxonomyError, match=rf"'{code}'"):
        parse(broken)
