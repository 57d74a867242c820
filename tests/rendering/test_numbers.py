"""One number style per language for everything people read: counts with a thousands
separator, a decimal comma in French and Dutch, euros and percentages as each language writes
them, hours as h:mm, and a dash for a missing figure."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from rendering import numbers

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["0", "7", f"1{NBSP}234", f"1{NBSP}234{NBSP}567", f"-12{NBSP}345"]),
        ("nl", ["0", "7", "1.234", "1.234.567", "-12.345"]),
        ("en", ["0", "7", "1,234", "1,234,567", "-12,345"]),
    ],
)
def test_counts_have_a_thousands_separator(language, expected):
    values = [0, 7, 1234, 1234567, -12345]
    assert [numbers.integer(v, language) for v in values] == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["0,0", f"1{NBSP}234,6", "-0,5"]),
        ("nl", ["0,0", "1.234,6", "-0,5"]),
        ("en", ["0.0", "1,234.6", "-0.5"]),
    ],
)
def test_decimals_have_a_decimal_comma_in_french_and_dutch(language, expected):
    assert [numbers.decimal(v, 1, language) for v in (0, 1234.56, Decimal("-0.45"))] == expected


@pytest.mark.parametrize(
    ("language", "amount", "expected"),
    [
        ("fr", Decimal("71813.33"), f"71{NBSP}813,33{NBSP}€"),
        ("nl", Decimal("71813.33"), f"€{NBSP}71.813,33"),
        ("en", Decimal("71813.33"), "€71,813.33"),
        ("fr", 0, f"0,00{NBSP}€"),
        ("nl", 0, f"€{NBSP}0,00"),
        ("en", 0, "€0.00"),
        ("fr", "-1234.5", f"-1{NBSP}234,50{NBSP}€"),
        ("nl", "-1234.5", f"€{NBSP}-1.234,50"),
        ("en", "-1234.5", "-€1,234.50"),
        ("fr", Decimal("1234567890.126"), f"1{NBSP}234{NBSP}567{NBSP}890,13{NBSP}€"),
        ("en", 1234567890, "€1,234,567,890.00"),
    ],
)
def test_euros_are_written_as_each_language_writes_them(language, amount, expected):
    assert numbers.euros(amount, language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            [
                f"62,5{NBSP}%",
                f"0,0{NBSP}%",
                f"100,0{NBSP}%",
                f"-3,3{NBSP}%",
                f"1{NBSP}250,0{NBSP}%",
            ],
        ),
        ("nl", ["62,5%", "0,0%", "100,0%", "-3,3%", "1.250,0%"]),
        ("en", ["62.5%", "0.0%", "100.0%", "-3.3%", "1,250.0%"]),
    ],
)
def test_shares_are_percentages_with_one_decimal(language, expected):
    shares = [0.625, 0, Decimal("1.000"), -1 / 30, 12.5]
    assert [numbers.percent(s, language) for s in shares] == expected


@pytest.mark.parametrize(
    ("language", "thousands"),
    [("fr", f"1{NBSP}234:05"), ("nl", "1.234:05"), ("en", "1,234:05")],
)
def test_hours_are_hours_and_minutes_from_minutes(language, thousands):
    assert numbers.hours(0, language) == "0:00"
    assert numbers.hours(45, language) == "0:45"
    assert numbers.hours(155, language) == "2:35"
    assert numbers.hours(-90, language) == "-1:30"
    assert numbers.hours(1234 * 60 + 5, language) == thousands


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_a_missing_figure_is_a_dash_in_every_style(language):
    for function in (numbers.integer, numbers.euros, numbers.percent, numbers.hours):
        assert function(None, language) == "—"
    assert numbers.decimal(None, 2, language) == "—"
    assert numbers.integer("not a number", language) == "—"


def test_without_a_language_the_active_one_is_used_and_an_unknown_one_falls_back_to_french():
    with translation.override("nl"):
        assert numbers.euros(Decimal("5")) == f"€{NBSP}5,00"
    with translation.override("en"):
        assert numbers.percent(0.5) == "50.0%"
    assert numbers.integer(1234, "es") == f"1{NBSP}234"
    # German, which a receipt prints, writes euros as Belgium's German speakers do.
    assert numbers.euros(Decimal("1314.2"), "de") == f"1.314,20{NBSP}€"


def test_no_negative_zero_after_rounding():
    assert numbers.decimal(Decimal("-0.01"), 1, "en") == "0.0"
    assert numbers.euros(Decimal("-0.001"), "en") == "€0.00"
    assert numbers.percent(-0.0001, "fr") == f"0,0{NBSP}%"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", f"1{NBSP}234 · 71{NBSP}813,33{NBSP}€ · 62,5{NBSP}% · 2:35 · 3,14 · —"),
        ("nl", "1.234 · €\xa071.813,33 · 62,5% · 2:35 · 3,14 · —"),
        ("en", "1,234 · €71,813.33 · 62.5% · 2:35 · 3.14 · —"),
    ],
)
def test_templates_use_the_same_functions_in_the_active_language(language, expected):
    template = Template(
        "{% load numbers %}{{ n|integer }} · {{ v|euros }} · {{ s|percent }} · "
        "{{ m|hours }} · {{ x|decimal:2 }} · {{ missing|euros }}"
    )
    context = Context(
        {"n": 1234, "v": Decimal("71813.33"), "s": 0.625, "m": 155, "x": 3.14159, "missing": None}
    )
    with translation.override(language):
        assert template.render(context) == expected
