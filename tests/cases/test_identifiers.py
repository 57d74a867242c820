"""Free text is scanned for identifiers: national register numbers and IBANs only when their
checksum holds, Belgian phone numbers, e-mail addresses and announced PINs."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import Person
from cases.services import incident_sheet_create, person_create
from privacy.identifiers import (
    EMAIL,
    IBAN,
    NATIONAL_NUMBER,
    PASSWORD,
    PHONE,
    PIN,
    iban_is_valid,
    mask,
    national_number_is_valid,
    scan,
)


def kinds(text):
    return [finding.kind for finding in scan(text)]


@pytest.mark.parametrize(
    "text",
    [
        "NN 85.07.30-033.28 au guichet",
        "rijksregisternummer 85073003328",
        "numéro 850730 033 28.",
        "85.07.30-033.28",
    ],
)
def test_a_national_number_with_a_valid_checksum_is_found_in_any_usual_format(text):
    assert kinds(text) == [NATIONAL_NUMBER]


def test_a_national_number_of_someone_born_in_2000_or_later_uses_the_2_prefix():
    assert national_number_is_valid("01010103391")
    assert kinds("né en 2001: 01.01.01-033.91") == [NATIONAL_NUMBER]


@pytest.mark.parametrize("digits", ["85073003361", "85073003329", "01010103390", "1234567890"])
def test_a_number_whose_checksum_fails_is_not_a_national_number(digits):
    assert not national_number_is_valid(digits)
    assert NATIONAL_NUMBER not in kinds(f"dossier {digits}")


def test_a_valid_iban_is_found_with_or_without_spaces():
    assert iban_is_valid("BE68 5390 0754 7034")
    assert kinds("virement sur BE68 5390 0754 7034 demain") == [IBAN]
    assert kinds("rekening BE68539007547034") == [IBAN]


def test_an_iban_with_a_wrong_check_digit_is_ignored():
    assert not iban_is_valid("BE68 5390 0754 7035")
    assert IBAN not in kinds("BE68 5390 0754 7035")


@pytest.mark.parametrize(
    "text",
    ["appeler le 0470 12 34 56", "tel +32 2 511 22 33", "02/511.22.33", "0032 470 123456"],
)
def test_belgian_phone_numbers_are_found(text):
    assert kinds(text) == [PHONE]


def test_an_email_address_is_found():
    assert kinds("son adresse: jean.dupont@example.be, à vérifier") == [EMAIL]


@pytest.mark.parametrize("text", ["PIN 1234", "code 0000", "pincode: 987654", "code secret 4321"])
def test_an_announced_pin_is_found_and_only_its_digits_are_masked(text):
    findings = scan(text)
    assert [f.kind for f in findings] == [PIN]
    assert mask(text).startswith(text[: findings[0].start])
    assert "•" in mask(text)


@pytest.mark.parametrize(
    "text",
    [
        "code postal 1070",
        "Rendez-vous le 12/03/2025 à 14h30",
        "durée 45 minutes, dossier 2024-118",
        "Aide pour la déclaration d'impôt via MyMinfin",
    ],
)
def test_ordinary_notes_are_not_flagged(text):
    assert scan(text) == []


def test_mask_keeps_the_rest_of_the_text_and_the_separators():
    text = "NN 85.07.30-033.28, mail a@b.be"
    assert mask(text) == "NN ••.••.••-•••.••, mail •@•.••"


def test_findings_come_in_reading_order_without_overlap():
    text = "a@b.be puis 0470 12 34 56 puis 85.07.30-033.28"
    assert kinds(text) == [EMAIL, PHONE, NATIONAL_NUMBER]


# --- a narrative with an identifier never leaves the association -------------------------------


def test_an_incident_sheet_whose_narrative_holds_an_identifier_cannot_be_shared(association):
    with pytest.raises(ValidationError) as exc_info:
        incident_sheet_create(
            association=association,
            occurred_on=timezone.localdate(),
            title="Guichet fermé",
            narrative="Appeler Mme au 0470 12 34 56",
            shared=True,
        )
    assert set(exc_info.value.message_dict) == {"shared"}
    assert not association.incident_sheets.exists()

    kept = incident_sheet_create(
        association=association,
        occurred_on=timezone.localdate(),
        title="Guichet fermé",
        narrative="Appeler Mme au 0470 12 34 56",
        shared=False,
    )
    assert not kept.shared


# --- punctuation does not hide a national number (the hostile tester's inputs) -------------


@pytest.mark.parametrize(
    "text",
    [
        "85.07.30/033.28",
        "NN85073003328",
        "850730_033_28",
        "son numéro: 8 5 0 7 3 0 0 3 3 2 8 au guichet",
        "rrn 85-07-30 033-28",
        "né le 30/07: 85,07,30,033,28",
    ],
)
def test_a_national_number_is_found_whatever_separates_its_digits(text):
    assert NATIONAL_NUMBER in kinds(text)


def test_a_national_number_beside_another_number_is_still_found_alone():
    findings = scan("gsm 0470 12 34 56 puis 85073003328")
    assert [f.kind for f in findings] == [PHONE, NATIONAL_NUMBER]
    assert findings[1].text == "85073003328"


def test_an_iban_written_with_dashes_or_dots_is_found():
    assert kinds("compte BE68-5390-0754-7034 svp") == [IBAN]
    assert kinds("compte BE68.5390.0754.7034") == [IBAN]


@pytest.mark.parametrize(
    "text", ["mot de passe: Soleil2024", "wachtwoord = zomer!23", "mdp est azerty12"]
)
def test_an_announced_password_is_found_whatever_it_is_made_of(text):
    assert [f.kind for f in scan(text)] == [PASSWORD]
    assert "Soleil2024" not in mask("mot de passe: Soleil2024")


@pytest.mark.parametrize(
    "code", ["85.07.30/033.28", "NN85073003328", "850730_033_28", "8507 3003 328"]
)
def test_a_person_code_hiding_a_national_number_is_refused(association, code):
    with pytest.raises(ValidationError) as refused:
        person_create(association=association, actor=None, code=code)
    assert "code" in refused.value.message_dict
    assert not Person.objects.filter(association=association).exists()


@pytest.mark.parametrize("code", ["jean@example.be", "0470 12 34 56", "BE68539007547034"])
def test_a_person_code_holding_another_identifier_is_refused(association, code):
    with pytest.raises(ValidationError) as refused:
        person_create(association=association, actor=None, code=code)
    assert "code" in refused.value.message_dict
