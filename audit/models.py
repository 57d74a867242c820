"""The audit trail: one row per event, append-only.

Rows are never changed or deleted, in code (save() on an existing row, delete() and bulk
update/delete raise) and on PostgreSQL in the database (a trigger, migration 0002). The one
exception is erasure: everything that could identify a helped person is kept only in
`person_data`, which `audit.services.person_scrub` empties; the trigger lets exactly that
change through.

Foreign keys carry no database constraint and do nothing on delete, so that deleting an
association, a user or a person never touches the trail. The app imports no domain model:
the association is named by its label, a person by their id only.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """The audit trail is append-only."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events are never changed")

    def delete(self):
        raise AppendOnlyError("audit events are never deleted")

    def _scrub_person_data(self) -> int:
        return super().update(person_data=None)


class Action(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    READ = "read", _("read")
    SEARCH = "search", _("searched")
    EXPORT = "export", _("exported")
    ERASE = "erase", _("erased")
    USE = "use", _("used")
    REVOKE = "revoke", _("revoked")
    EXPIRE = "expire", _("expired")


class ObjectType(models.TextChoices):
    PERSON = "person", _("person")
    ENTRY = "assistance_request", _("entry")
    INCIDENT = "incident_sheet", _("incident sheet")
    ATTEMPT = "contact_attempt", _("contact attempt")
    ORIENTATION = "orientation", _("orientation")
    MANDATE = "mandate", _("mandate")
    MEMBERSHIP = "membership", _("membership")
    ASSOCIATION = "association", _("association settings")
    EVIDENCE_BUNDLE = "evidence_bundle", _("evidence bundle")
    COMPLAINT = "once_only_complaint", _("Once-Only complaint")
    DOSSIER = "dossier", _("dossier")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # Kept as written: the trail still says who acted after the account is gone.
    actor_email = models.CharField(_("who (email)"), max_length=254, blank=True, default="")
    association = models.ForeignKey(
        "organisations.Association",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(_("what"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object"), max_length=30, choices=ObjectType.choices)
    object_id = models.CharField(_("object id"), max_length=40, blank=True, default="")
    # The person concerned (an id only, meaningless once the person is erased).
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("from"), null=True, blank=True)
    # Field names changed, never their values; and other non-personal details.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # The only place that may identify a helped person (their pseudonym code); emptied by
    # erasure.
    person_data = models.JSONField(null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["association", "-at"], name="audit_association_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are never deleted")

    @property
    def names_who_logged(self) -> bool:
        """An event of the log itself (an entry or a sheet created, changed or deleted): who
        did it and from which computer would rebuild each worker's workload, which a director
        is not to see. The trail keeps both; the director's page shows the event alone."""
        return self.object_type in (ObjectType.ENTRY, ObjectType.INCIDENT, ObjectType.ATTEMPT)
