"""Views, API modules and exports reach an association's data only through selectors (reads)
and services (writes): none of them calls `<Model>.objects` on it, so no page, endpoint or
file can forget the association's scope, the audit trail or the dirty-month mark.

The source is read with `ast`, so a comment or a string naming `.objects` is not a call.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# The pages of every app, the API, and every export module (those of the log export too,
# whatever name they end up with once the workload exports are split).
SCANNED = (
    "*/views.py",
    "api/*.py",
    "*/exports.py",
    "workload/exports*.py",
    "workload/exports/*.py",
    "workload/log_export.py",
    "workload/statements.py",
)

# Models that hold no association's data, with the reason. Anything else found behind
# `.objects` in a scanned module is a failure.
NON_ASSOCIATION_MODELS = {
    # The registry of public bodies: shared by every association, no personal data.
    "Institution": ("referrals", "Institution"),
}
# A user's own rows, in the one module that handles them.
OWN_ROWS = {
    # The logged-in user's language preference: their own account, not an association's.
    ("organisations/views.py", "User"),
    # The caller's login token, issued by knox's own manager: it holds no association data.
    ("api/views.py", "AuthToken"),
}
# `Model.objects.none()` reads no row at all (an empty queryset for an anonymous caller).
READS_NOTHING = {"none"}
# Modules being moved to selectors elsewhere; each is checked again once it is clean.
KNOWN_EXCEPTIONS = {}


def scanned_modules() -> list[str]:
    found = {
        path.relative_to(ROOT).as_posix()
        for pattern in SCANNED
        for path in ROOT.glob(pattern)
        if path.is_file()
    }
    return sorted(p for p in found if not p.startswith(("tests/", ".")))


def manager_calls(source: str) -> list[tuple[int, str, str]]:
    """(line, model expression, method) of every `<model>.objects.<method>` in the source;
    the method is "" when the manager itself is used."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            parent = parents.get(node)
            method = parent.attr if isinstance(parent, ast.Attribute) else ""
            calls.append((node.lineno, ast.unparse(node.value), method))
    return sorted(calls)


def forbidden_calls(module: str) -> list[str]:
    source = (ROOT / module).read_text(encoding="utf-8")
    return [
        f"{module}:{line}: {model}.objects.{method}"
        for line, model, method in manager_calls(source)
        if method not in READS_NOTHING
        and model not in NON_ASSOCIATION_MODELS
        and (module, model) not in OWN_ROWS
    ]


def test_the_scan_finds_a_manager_call_and_ignores_comments_and_strings():
    source = (
        "# Person.objects.all() in a comment\n"
        "text = 'Person.objects.all()'\n"
        "rows = Person.objects.filter(code='x')\n"
        "empty = self.model.objects.none()\n"
    )
    assert manager_calls(source) == [(3, "Person", "filter"), (4, "self.model", "none")]


def test_the_scan_covers_the_views_the_api_and_the_exports():
    modules = scanned_modules()
    assert {"cases/views.py", "workload/views.py", "api/cases.py", "cases/exports.py"} <= set(
        modules
    )


def test_the_allowed_models_hold_no_association_data():
    for app_label, model_name in NON_ASSOCIATION_MODELS.values():
        fields = {field.name for field in apps.get_model(app_label, model_name)._meta.get_fields()}
        assert "association" not in fields, model_name


@pytest.mark.parametrize("module", scanned_modules())
def test_views_api_and_exports_reach_association_data_only_through_selectors_and_services(
    module,
):
    found = forbidden_calls(module)
    if module in KNOWN_EXCEPTIONS:
        assert found, f"{module} is clean now: remove it from KNOWN_EXCEPTIONS"
        pytest.skip(f"{module}: {KNOWN_EXCEPTIONS[module]}")
    assert found == []
