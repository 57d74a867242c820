"""A period is two months written YYYY-MM in ASCII digits; anything else names the field."""

import pytest
from django.core.exceptions import ValidationError

from organisations.models import Role
from tests.factories import MembershipFactory
from workload.models import Job
from workload.selectors import period_parse


@pytest.mark.parametrize(
    ("month_from", "month_to", "field"),
    [
        # Full-width digits once matched `\d`, and the months loop never reached the end.
        ("2025-01", "２０２５-03", "to"),
        ("１９９０-01", "2025-03", "from"),
        ("2025-01\n", "2025-03", "from"),
        ("2025-01", "2025-03\n", "to"),
    ],
)
def test_a_month_not_written_in_ascii_digits_is_refused(month_from, month_to, field):
    with pytest.raises(ValidationError) as refused:
        period_parse(month_from, month_to)

    assert field in refused.value.message_dict


def test_a_period_in_ascii_digits_is_read():
    assert period_parse("2025-11", "2026-02").months == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_an_export_with_a_full_width_month_is_refused_on_the_page(client, association):
    director = MembershipFactory(organisation=association, role=Role.DIRECTOR).user
    client.force_login(director)

    response = client.post(
        "/workload/exports/",
        {"export": "monthly", "format": "csv", "from": "2025-01", "to": "２０２５-03"},
    )

    assert response.status_code == 400
    assert "to" in response.context["errors"]
    assert not Job.objects.exists()
