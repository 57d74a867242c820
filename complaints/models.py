"""Once-Only complaints: a director tells the competent simplification service that an
administration asked a person again for a document another administration already holds
(federal law of 5 May 2014, the Brussels ordinance, the Walloon and FWB decrees).

The competent bodies are a short table the site administrator keeps (Django admin), each row
with the source its name and address come from and the day they were checked.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import AssistanceRequest, AssociationScopedQuerySet
from organisations.models import Association


class Level(models.TextChoices):
    """Which Once-Only text binds the body that asked, hence where the complaint goes."""

    FEDERAL = "federal", _("Federal")
    BRUSSELS = "brussels", _("Brussels-Capital Region")
    WALLONIA = "wallonia", _("Wallonia and Wallonia-Brussels Federation")


# The registry's region of the body that asked -> the level whose service hears the complaint.
# A body of no region (federal, national) and a Flemish one go to the federal service until a
# Flemish row is added: the director may address any body of the table instead.
LEVEL_OF_REGION = {"bxl": Level.BRUSSELS, "wal": Level.WALLONIA}

COMPLAINT_LANGUAGES = ("fr", "nl")
MAX_ANSWER = 5000


class CompetentBody(models.Model):
    """A service that hears Once-Only complaints, kept by the site administrator."""

    level = models.CharField(_("level"), max_length=10, choices=Level.choices, unique=True)
    name_fr = models.CharField(_("name in French"), max_length=200)
    name_nl = models.CharField(_("name in Dutch"), max_length=200)
    street_fr = models.CharField(_("street and number (French)"), max_length=200, blank=True)
    street_nl = models.CharField(_("street and number (Dutch)"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city_fr = models.CharField(_("city (French)"), max_length=100, blank=True)
    city_nl = models.CharField(_("city (Dutch)"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    source = models.CharField(
        _("source"),
        max_length=500,
        help_text=_("Where the name and the address are published (an address on the web)."),
    )
    source_date = models.DateField(
        _("source consulted on"),
        null=True,
        blank=True,
        help_text=_("The day the row was taken from its source."),
    )
    checked_on = models.DateField(
        _("checked on"),
        null=True,
        blank=True,
        help_text=_("The day someone checked the name and the address against the source."),
    )

    class Meta:
        verbose_name = _("competent body")
        verbose_name_plural = _("competent bodies")
        ordering = ["level"]

    def __str__(self):
        return self.name_fr

    def name(self, language: str) -> str:
        return self.name_nl if language == "nl" else self.name_fr

    def postal_lines(self, language: str) -> list[str]:
        street = (self.street_nl if language == "nl" else self.street_fr) or self.street_fr
        city = (self.city_nl if language == "nl" else self.city_fr) or self.city_fr
        town = " ".join(part for part in (self.postcode, city) if part)
        return [line for line in (street, town, self.email) if line]


class Complaint(models.Model):
    """A complaint about entries whose administration disregarded the Once-Only principle."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="once_only_complaints"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entries = models.ManyToManyField(
        AssistanceRequest, related_name="once_only_complaints", verbose_name=_("entries")
    )
    addressed_to = models.ForeignKey(
        CompetentBody,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("addressed to"),
    )
    language = models.CharField(_("language"), max_length=2, default="fr")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True, default="")
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssociationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("Once-Only complaint")
        verbose_name_plural = _("Once-Only complaints")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(language__in=COMPLAINT_LANGUAGES),
                name="complaint_language_fr_nl",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "sent", "answered", "closed"]),
                name="complaint_status_known",
            ),
        ]

    def __str__(self):
        return f"{self.association_id}/{self.pk} {self.status}"
