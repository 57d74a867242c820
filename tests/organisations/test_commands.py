"""The set-up commands, as their published contract says:

    manage.py create_federation --slug SLUG --name NAME
    manage.py create_association --slug SLUG --name NAME [--federation FED_SLUG]
    manage.py create_member --org SLUG --email EMAIL --role ROLE --password PW

Each prints one line, exits non-zero with a one-line reason on bad input, and is idempotent on
its slug or email: run again, it updates the name, federation, role or password.
"""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from organisations.models import (
    Association,
    Federation,
    FederationMembership,
    Membership,
    Organisation,
    User,
)
from tests.factories import AssociationFactory, FederationFactory

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Fauteuil-Bleu-1987"
NEW_PASSWORD = "Lampadaire-Vert-2024"


def run(command, *args):
    """Run a command; return its output (one line expected)."""
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def failure(command, *args) -> str:
    """Run a command expected to fail; return its one-line reason."""
    with pytest.raises(CommandError) as exc_info:
        run(command, *args)
    reason = str(exc_info.value)
    assert reason and "\n" not in reason, reason
    return reason


# --- create_federation -----------------------------------------------------------------------


def test_create_federation_creates_it_and_says_so_in_one_line():
    output = run("create_federation", "--slug", "fdss", "--name", "Fédération des services")

    federation = Federation.objects.get(slug="fdss")
    assert federation.name == "Fédération des services"
    assert output.count("\n") == 1 and "fdss" in output


def test_create_federation_again_renames_it():
    run("create_federation", "--slug", "fdss", "--name", "Ancien nom")
    run("create_federation", "--slug", "fdss", "--name", "Nouveau nom")

    assert Federation.objects.filter(slug="fdss").count() == 1
    assert Federation.objects.get(slug="fdss").name == "Nouveau nom"


@pytest.mark.parametrize("slug", ["Bad Slug!", "FDSS", "fd_ss", "-fdss", "é-bxl", "x" * 61])
def test_create_federation_refuses_a_bad_slug(slug):
    reason = failure("create_federation", "--slug", slug, "--name", "Fédération")
    assert "slug" in reason
    assert Federation.objects.count() == 0


def test_create_federation_refuses_an_empty_name():
    reason = failure("create_federation", "--slug", "fdss", "--name", "   ")
    assert "name" in reason
    assert Federation.objects.count() == 0


def test_create_federation_refuses_the_slug_of_an_association():
    AssociationFactory(slug="asbl-x", name="ASBL X")
    reason = failure("create_federation", "--slug", "asbl-x", "--name", "Fédération")
    assert "slug" in reason
    assert Organisation.objects.filter(slug="asbl-x").get().kind == "association"


def test_create_federation_needs_its_arguments():
    failure("create_federation", "--slug", "fdss")


# --- create_association ----------------------------------------------------------------------


def test_create_association_creates_it():
    output = run("create_association", "--slug", "asbl-x", "--name", "ASBL X")

    association = Association.objects.get(slug="asbl-x")
    assert association.name == "ASBL X"
    assert association.federations.count() == 0
    assert output.count("\n") == 1 and "asbl-x" in output


def test_create_association_with_a_federation_joins_it_and_shares_its_aggregates():
    federation = FederationFactory(slug="fdss")

    run("create_association", "--slug", "asbl-x", "--name", "ASBL X", "--federation", "fdss")

    membership = FederationMembership.objects.get(association__slug="asbl-x")
    assert membership.federation == federation
    assert membership.shares_aggregates


def test_create_association_again_updates_its_name_and_federation():
    FederationFactory(slug="fdss")
    run("create_association", "--slug", "asbl-x", "--name", "ASBL X")

    run(
        "create_association",
        "--slug",
        "asbl-x",
        "--name",
        "ASBL X renommée",
        "--federation",
        "fdss",
    )
    run(
        "create_association",
        "--slug",
        "asbl-x",
        "--name",
        "ASBL X renommée",
        "--federation",
        "fdss",
    )

    association = Association.objects.get(slug="asbl-x")
    assert association.name == "ASBL X renommée"
    assert list(association.federations.values_list("slug", flat=True)) == ["fdss"]
    assert Association.objects.count() == 1


def test_create_association_again_shares_again_with_its_federation():
    FederationFactory(slug="fdss")
    run("create_association", "--slug", "asbl-x", "--name", "ASBL X", "--federation", "fdss")
    FederationMembership.objects.update(shares_aggregates=False)

    run("create_association", "--slug", "asbl-x", "--name", "ASBL X", "--federation", "fdss")

    assert FederationMembership.objects.get().shares_aggregates


def test_create_association_refuses_an_unknown_federation():
    reason = failure(
        "create_association", "--slug", "asbl-x", "--name", "ASBL X", "--federation", "nowhere"
    )
    assert "nowhere" in reason
    assert not Association.objects.exists()


def test_create_association_refuses_the_slug_of_a_federation():
    FederationFactory(slug="fdss")
    reason = failure("create_association", "--slug", "fdss", "--name", "ASBL")
    assert "slug" in reason
    assert not Association.objects.exists()


def test_create_association_refuses_a_bad_slug():
    reason = failure("create_association", "--slug", "ASBL X", "--name", "ASBL X")
    assert "slug" in reason


# --- create_member ---------------------------------------------------------------------------


@pytest.fixture
def asbl():
    return AssociationFactory(slug="asbl-x", name="ASBL X")


@pytest.fixture
def fdss():
    return FederationFactory(slug="fdss", name="FDSS")


def member_args(org="asbl-x", email="marie@example.be", role="worker", password=PASSWORD):
    return ("--org", org, "--email", email, "--role", role, "--password", password)


def test_create_member_gives_a_worker_access_with_the_password(asbl):
    output = run("create_member", *member_args(email="Marie@Example.be"))

    membership = Membership.objects.get()
    assert membership.user.email == "marie@example.be"
    assert membership.organisation.pk == asbl.pk
    assert membership.role == "worker"
    assert authenticate(email="marie@example.be", password=PASSWORD) == membership.user
    assert output.count("\n") == 1 and "marie@example.be" in output


@pytest.mark.parametrize("role", ["worker", "director"])
def test_an_association_member_is_a_worker_or_a_director(asbl, role):
    run("create_member", *member_args(role=role))
    assert Membership.objects.get().role == role


def test_a_federation_member_is_an_analyst(fdss):
    run("create_member", *member_args(org="fdss", role="analyst"))
    assert Membership.objects.get().organisation.pk == fdss.pk


def test_create_member_refuses_an_analyst_in_an_association(asbl):
    reason = failure("create_member", *member_args(role="analyst"))
    assert "role" in reason
    assert not User.objects.exists()


@pytest.mark.parametrize("role", ["worker", "director"])
def test_create_member_refuses_a_worker_or_director_in_a_federation(fdss, role):
    reason = failure("create_member", *member_args(org="fdss", role=role))
    assert "role" in reason
    assert not Membership.objects.exists()


def test_create_member_refuses_an_unknown_role(asbl):
    reason = failure("create_member", *member_args(role="admin"))
    assert "role" in reason


def test_create_member_refuses_an_unknown_organisation():
    reason = failure("create_member", *member_args(org="nowhere"))
    assert "nowhere" in reason
    assert not User.objects.exists()


@pytest.mark.parametrize("email", ["not-an-email", "marie@", "@example.be", ""])
def test_create_member_refuses_a_bad_email(asbl, email):
    reason = failure("create_member", *member_args(email=email))
    assert "email" in reason
    assert not User.objects.exists()


@pytest.mark.parametrize("password", ["123", "password", "12345678901", "marie@example.be"])
def test_create_member_refuses_a_weak_password(asbl, password):
    reason = failure("create_member", *member_args(password=password))
    assert "password" in reason
    assert not User.objects.exists()


def test_create_member_names_every_bad_argument_on_one_line():
    reason = failure("create_member", *member_args(org="nowhere", email="nope", role="boss"))
    assert "org" in reason and "email" in reason and "role" in reason


def test_create_member_again_changes_the_password(asbl):
    run("create_member", *member_args(password=PASSWORD))

    run("create_member", *member_args(password=NEW_PASSWORD))

    assert User.objects.count() == 1
    assert authenticate(email="marie@example.be", password=NEW_PASSWORD) is not None
    assert authenticate(email="marie@example.be", password=PASSWORD) is None


def test_create_member_again_changes_the_role(asbl):
    run("create_member", *member_args(role="worker"))

    run("create_member", *member_args(email="MARIE@example.be", role="director"))

    assert Membership.objects.get().role == "director"
    assert User.objects.count() == 1


def test_a_refused_rerun_keeps_the_old_password(asbl):
    run("create_member", *member_args(password=PASSWORD))

    failure("create_member", *member_args(password="123"))

    assert authenticate(email="marie@example.be", password=PASSWORD) is not None


# --- From the shell --------------------------------------------------------------------------


def test_from_the_shell_a_bad_slug_exits_non_zero_with_one_line_on_stderr(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'setup.sqlite3'}",
    }
    env.pop("CELERY_BROKER_URL", None)

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )

    migrated = manage("migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr

    bad = manage("create_federation", "--slug", "Bad Slug!", "--name", "Fédération")
    assert bad.returncode != 0
    assert len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    assert "slug" in bad.stderr

    good = manage("create_federation", "--slug", "fdss", "--name", "Fédération")
    assert good.returncode == 0, good.stderr
    assert len(good.stdout.strip().splitlines()) == 1
