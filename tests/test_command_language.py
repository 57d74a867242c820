"""A management command speaks one language per run: the LANGUAGE of the environment, English
by default, for its own sentences and for the messages of the code it calls alike."""

import io

import pytest
from django.core.management import CommandError, call_command

from rendering.commands import command_language
from tests.factories import FederationFactory


@pytest.mark.parametrize(
    ("environment", "language"),
    [
        ({}, "en"),
        ({"LANGUAGE": ""}, "en"),
        ({"LANGUAGE": "nl"}, "nl"),
        ({"LANGUAGE": "fr_BE.UTF-8"}, "fr"),
        ({"LANGUAGE": "de_BE:nl_BE:en"}, "nl"),  # the first the product speaks
        ({"LANGUAGE": "C"}, "en"),
    ],
)
def test_the_language_of_a_run_is_the_first_of_language_the_product_speaks(environment, language):
    assert command_language(environment) == language


def create_federation(slug) -> str:
    out = io.StringIO()
    call_command("create_federation", "--slug", slug, "--name", "Fédération", stdout=out)
    return out.getvalue().strip()


def test_a_setup_command_answers_in_dutch_under_language_nl_and_in_english_without(
    monkeypatch,
):
    FederationFactory(slug="fdss")

    monkeypatch.setenv("LANGUAGE", "nl")
    assert create_federation("fdss") == "Federatie fdss bijgewerkt."
    with pytest.raises(CommandError, match="^association: geen vereniging heeft de slug"):
        call_command("evidence_keygen", "--association", "nobody")

    monkeypatch.delenv("LANGUAGE")
    assert create_federation("fdss") == "Federation fdss updated."
    with pytest.raises(CommandError, match="^association: no association has the slug"):
        call_command("evidence_keygen", "--association", "nobody")
