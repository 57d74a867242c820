"""Sending an orientation, the service's answer through its link, the reminder and the
expiry, as specifications of what the association and the receiving service see."""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from orientations import services, tasks
from orientations.models import Orientation
from tests.factories import AssociationFactory, log_entry

from .conftest import SENT_AT, days_later, send

pytestmark = pytest.mark.django_db
Status = Orientation.Status


def token_of(orientation):
    return services.link_token(orientation)


def test_sending_mails_the_service_a_link_in_its_language(desk):
    orientation = send(desk, recipient_language="nl")
    assert orientation.status == Status.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["accueil@epn.example.be"]
    assert "ASBL Lien" in message.subject
    assert "Doorverwijzing" in message.subject or "doorverwijzing" in message.subject.lower()
    assert "Apprendre à utiliser l'application de la banque." in message.body
    assert f"http://testserver/orientations/answer/{token_of(orientation)}/" in message.body


def test_only_what_the_person_consented_to_is_kept_for_the_service(desk):
    orientation = send(desk, shares=["language"])
    assert orientation.shared == {"language": "nl"}
    assert "1961" not in mail.outbox[0].body and "1060" not in mail.outbox[0].body


def test_without_the_persons_consent_nothing_is_sent(desk):
    with pytest.raises(ValidationError) as refused:
        send(desk, consent=False)
    assert "consent" in refused.value.message_dict
    assert not Orientation.objects.exists() and not mail.outbox


def test_a_need_holding_a_phone_number_is_refused_before_it_leaves(desk):
    with pytest.raises(ValidationError) as refused:
        send(desk, need="Rappeler la personne au 0475 12 34 56")
    assert "need" in refused.value.message_dict
    assert not Orientation.objects.exists() and not mail.outbox


def test_every_bad_field_is_named_at_once(desk):
    with pytest.raises(ValidationError) as refused:
        send(
            desk,
            institution=None,
            recipient_name="",
            recipient_email="not-an-address",
            recipient_language="de",
            need="",
            shares=["national_number"],
        )
    assert {"recipient_name", "recipient_email", "recipient_language", "need", "shares"} <= set(
        refused.value.message_dict
    )


def test_an_entry_of_another_association_cannot_be_sent_on(desk):
    stranger = log_entry(AssociationFactory(slug="elsewhere"))
    with pytest.raises(ValidationError) as refused:
        send(desk, assistance_request=stranger.pk)
    assert "assistance_request" in refused.value.message_dict


def test_a_contact_named_by_email_may_be_the_target(desk):
    orientation = send(desk, institution=None, recipient_name="Permanence juridique du quartier")
    assert orientation.target_name("fr") == "Permanence juridique du quartier"


def test_the_service_accepts_then_reports_the_person_was_helped(desk):
    orientation = send(desk)
    token = token_of(orientation)
    services.orientation_answer(token=token, status=Status.ACCEPTED, now=days_later(1))
    done = services.orientation_answer(token=token, status=Status.DONE, now=days_later(5))
    assert done.status == Status.DONE
    # The time to an answer is the first answer's.
    assert done.answered_at == days_later(1)
    statuses = AuditEvent.objects.filter(object_type="orientation").values_list(
        "detail__status", flat=True
    )
    assert sorted(statuses) == ["accepted", "done", "sent"]


def test_a_refusal_needs_its_reason(desk):
    token = token_of(send(desk))
    with pytest.raises(ValidationError) as refused:
        services.orientation_answer(token=token, status=Status.REFUSED, now=days_later(1))
    assert "reason" in refused.value.message_dict
    answer = services.orientation_answer(
        token=token, status=Status.REFUSED, reason="Plus de place ce mois-ci.", now=days_later(1)
    )
    assert answer.refusal_reason == "Plus de place ce mois-ci."


def test_a_closed_orientation_takes_no_further_answer(desk):
    token = token_of(send(desk))
    services.orientation_answer(
        token=token, status=Status.REFUSED, reason="Complet.", now=days_later(1)
    )
    with pytest.raises(ValidationError):
        services.orientation_answer(token=token, status=Status.ACCEPTED, now=days_later(2))


def test_an_altered_link_is_refused(desk):
    token = token_of(send(desk))
    other = send(desk)
    # The id of another orientation under the first one's signature.
    forged = signing.dumps({"o": other.pk}, salt="another-use")
    for bad in (token[:-2] + "xx", forged, "cpas", token.replace(":", "", 1)):
        with pytest.raises(services.LinkRefused) as refused:
            services.orientation_from_link(bad)
        assert refused.value.reason == "invalid"


def test_the_link_opens_until_its_eighth_day_and_not_after(desk):
    orientation = send(desk)
    token = token_of(orientation)
    assert services.orientation_from_link(token, now=days_later(7, hours=23)) == orientation
    with pytest.raises(services.LinkRefused) as refused:
        services.orientation_from_link(token, now=days_later(8))
    assert refused.value.reason == "expired"


def test_the_signature_itself_expires_after_eight_days(desk):
    orientation = send(desk)
    eight_days = dt.timedelta(days=8, minutes=1).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=1_700_000_000):
        token = token_of(orientation)
    with mock.patch("django.core.signing.time.time", return_value=1_700_000_000 + eight_days):
        with pytest.raises(services.LinkRefused) as refused:
            services.orientation_from_link(token, now=SENT_AT)
    assert refused.value.reason == "expired"


def test_an_answer_after_expiry_is_refused(desk):
    token = token_of(send(desk))
    with pytest.raises(services.LinkRefused):
        services.orientation_answer(token=token, status=Status.ACCEPTED, now=days_later(9))
    assert Orientation.objects.get().status == Status.SENT


def test_the_service_is_reminded_once_after_three_days(desk):
    orientation = send(desk, recipient_language="en")
    mail.outbox.clear()
    assert services.orientations_due_for_reminder(days_later(2, hours=23)) == []
    assert services.orientations_due_for_reminder(days_later(3)) == [orientation.pk]
    assert services.orientation_remind(pk=orientation.pk, now=days_later(3)) is True
    assert services.orientation_remind(pk=orientation.pk, now=days_later(4)) is False
    assert services.orientations_due_for_reminder(days_later(4)) == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("Reminder")
    assert token_of(orientation) in mail.outbox[0].body


def test_an_answered_orientation_is_not_reminded(desk):
    orientation = send(desk)
    services.orientation_answer(
        token=token_of(orientation), status=Status.ACCEPTED, now=days_later(1)
    )
    mail.outbox.clear()
    assert services.orientation_remind(pk=orientation.pk, now=days_later(3)) is False
    assert not mail.outbox


def test_an_unanswered_orientation_expires_on_its_eighth_day_once(desk):
    orientation = send(desk)
    assert services.orientations_due_for_expiry(days_later(7, hours=23)) == []
    assert services.orientation_expire(pk=orientation.pk, now=days_later(7, hours=23)) is False
    assert services.orientation_expire(pk=orientation.pk, now=days_later(8)) is True
    assert services.orientation_expire(pk=orientation.pk, now=days_later(9)) is False
    orientation.refresh_from_db()
    assert orientation.status == Status.EXPIRED and orientation.expired_at == days_later(8)
    assert AuditEvent.objects.filter(object_type="orientation", detail__by="expiry").count() == 1


def test_the_beat_jobs_remind_and_expire_what_is_due(desk):
    old = send(desk, now=SENT_AT - dt.timedelta(days=30))
    recent = send(desk, now=SENT_AT)
    # Each id's task runs in this process, whatever broker the suite is given.
    with (
        mock.patch("orientations.services.timezone.now", return_value=days_later(4)),
        mock.patch.object(tasks.remind_task, "delay", tasks.remind_task),
        mock.patch.object(tasks.expire_task, "delay", tasks.expire_task),
    ):
        assert tasks.send_reminders_task() == 1
        assert tasks.send_reminders_task() == 0
        assert tasks.expire_unanswered_task() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == Status.EXPIRED and old.reminded_at is None
    assert recent.status == Status.SENT and recent.reminded_at == days_later(4)


def test_a_failing_mail_server_sends_nothing_and_keeps_nothing(desk, settings):
    with mock.patch("orientations.services.send_mail", side_effect=OSError("refused")):
        with pytest.raises(ValidationError) as refused:
            send(desk)
    assert "recipient_email" in refused.value.message_dict
    assert not Orientation.objects.exists()
