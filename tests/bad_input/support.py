"""What the bad-input properties share: hostile values, and a fingerprint of every row."""

import json
import os
import string

from django.apps import apps
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# The project's own data. Sessions, tokens, login-throttling counters and 2FA devices are the
# framework's bookkeeping of a request, not something a refused input may have written.
PROJECT_APPS = ("organisations", "referrals", "cases", "workload", "evidence", "audit")

# Examples are few per route because routes are many: the whole package stays well under a
# minute and a half on SQLite. The function-scoped fixtures hold data every example reads;
# each example compares the database before and after itself. BAD_INPUT_EXAMPLES=500 makes a
# long search, for a run by hand before a release.
PROPERTY = settings(
    max_examples=int(os.environ.get("BAD_INPUT_EXAMPLES", "20")),
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# Audit events that record a reading (a refused form that shows a person's code again is a
# read of the record, and must be in the trail): they are not data the input wrote.
READ_ACTIONS = ("read", "search")


def fingerprint() -> dict:
    """Every row of the project's tables, by model (the trail's records of reads aside)."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            manager = model._base_manager.order_by()
            if model._meta.label == "audit.AuditEvent":
                manager = manager.exclude(action__in=READ_ACTIONS)
            rows[model._meta.label] = sorted(manager.values_list(), key=repr)
    return rows


def changed_models(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))


# --- hostile values -----------------------------------------------------------------------------

ODD_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "null",
        "-1",
        "0",
        "1e309",
        "NaN",
        "Infinity",
        "²",  # a digit for str.isdigit, not for int()
        "١٢",  # Arabic-Indic digits
        "１２",  # full-width digits
        "9" * 5000,
        "2025-02-30",
        "2025-13",
        "2025-01\n",
        "0000-00-00",
        "9999-12-31",
        "1899-12-31",
        "１９９０-01",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "unknown_code",
        "tax.pit_return.nope",
        "85.07.30-033.28",  # shaped like a national register number
        "\u202e\u0301",
    ]
)
LONG_STRINGS = st.sampled_from([11, 31, 201, 5001, 20001]).map(lambda n: "x" * n)
TEXT = st.text(max_size=40)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -1, 2**31, 2**63, -(2**63) - 1, 10**20]),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
    ODD_STRINGS,
    LONG_STRINGS,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
# What a browser can send: strings, one or several per name.
FORM_VALUES = st.one_of(
    TEXT,
    ODD_STRINGS,
    LONG_STRINGS,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.lists(st.one_of(TEXT, ODD_STRINGS), min_size=2, max_size=3),
)
DROP = object()  # a field left out of the body


def corrupted(base: dict, fields: list[str], values) -> st.SearchStrategy:
    """`base` with one to three of `fields` given a hostile value or left out."""
    if not fields:
        return st.just(dict(base))

    @st.composite
    def build(draw):
        body = dict(base)
        names = draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique=True))
        for name in names:
            value = draw(st.one_of(st.just(DROP), values) if name in base else values)
            if value is DROP:
                body.pop(name, None)
            else:
                body[name] = value
        return body

    return build()


# --- bodies that are no JSON object -------------------------------------------------------------

JSON = "application/json"
NOT_OBJECTS = st.one_of(
    # Valid JSON, but not an object.
    st.one_of(SCALARS, st.lists(JSON_VALUES, max_size=3)).map(lambda v: (json.dumps(v), JSON)),
    # Broken JSON.
    st.sampled_from(["{", '{"a": ', "[1, 2", "{'single': 'quotes'}", "NaN", "{}}", "\ufeff{}"]).map(
        lambda text: (text, JSON)
    ),
    st.binary(max_size=40).map(lambda raw: (raw, JSON)),
    # A content type the API does not read.
    st.tuples(
        st.text(alphabet=string.printable, max_size=40),
        st.sampled_from(["text/plain", "application/xml", "application/x-www-form-urlencoded"]),
    ),
    st.binary(max_size=40).map(lambda raw: (raw, "multipart/form-data; boundary=xyz")),
)
