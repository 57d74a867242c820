"""The registry of referring and responsible bodies, and orientations out."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Association
from taxonomy import get_taxonomy

from .registry import body_search_text, municipalities_of_postcode, municipality_by_nis

# A body is an institution, never a person or the person's circle.
INSTITUTION_KINDS = [
    code
    for code in get_taxonomy().codes("referrer_types")
    if code not in ("self", "entourage", "unknown")
]


# What the search column is made of (referrals.registry.body_search_text).
SEARCHED_FIELDS = frozenset(
    {"name", "name_fr", "name_nl", "name_de", "name_en", "acronyms", "aliases", "postcode"}
    | {"municipality"}
)


class InstitutionQuerySet(models.QuerySet):
    def in_use(self):
        """Bodies that may still be chosen: neither retired nor merged into another."""
        return self.filter(retired_at__isnull=True, merged_into__isnull=True)

    def visible_to(self, association_id: int | None):
        """What one association may see and choose: the shared registry (seeded bodies and
        those validated by an administrator or an analyst) and the bodies it added itself."""
        shared = models.Q(added_by__isnull=True) | models.Q(validated_at__isnull=False)
        return self.in_use().filter(shared | models.Q(added_by_id=association_id))

    def awaiting_validation(self):
        return self.in_use().filter(added_by__isnull=False, validated_at__isnull=True)


class Institution(models.Model):
    """A public body or firm (no personal data).

    The registry (`manage.py load_registry`, from referrals/data/) holds the taxonomy's
    institutions (those carry `code`), every municipality of Belgium and its CPAS/OCMW, and the
    federal, regional and private bodies people are sent to; each has a stable `key` and its
    names in the languages it has them. Those are shared by all associations. A body an
    association adds is visible to that association only, until an administrator or a
    federation analyst validates it for the shared registry: a name typed by one worker never
    reaches the others unchecked. A body is retired (kept for the entries that name it) or
    merged into another (its entries follow), never deleted.
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    # The postal address letters are sent to; the registry's data files do not hold one, so
    # it is empty until an administrator types it (letters then say it is not known).
    street = models.CharField(_("street and number"), max_length=200, blank=True, default="")
    code = models.CharField(_("taxonomy code"), max_length=40, null=True, blank=True, unique=True)
    # `nis:<REFNIS>` a commune, `cpas:<REFNIS>` its CPAS, a taxonomy code or a slug otherwise;
    # empty for a body an association added.
    key = models.CharField(_("registry key"), max_length=60, null=True, blank=True, unique=True)
    region = models.CharField(_("region"), max_length=10, blank=True)
    municipality = models.CharField(_("municipality (REFNIS code)"), max_length=5, blank=True)
    name_fr = models.CharField(_("name in French"), max_length=200, blank=True)
    name_nl = models.CharField(_("name in Dutch"), max_length=200, blank=True)
    name_de = models.CharField(_("name in German"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    acronyms = models.JSONField(_("acronyms"), default=list, blank=True)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    # Every name, normalised (referrals.search_text), kept in step by save() and the loader.
    search_text = models.TextField(editable=False, blank=True, default="")
    added_by = models.ForeignKey(
        Association,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(
        _("validated for the shared registry"), null=True, blank=True
    )
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("merged into"),
    )

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=INSTITUTION_KINDS),
                name="institution_kind_in_taxonomy",
                violation_error_message=_("Unknown kind of institution."),
            ),
            models.UniqueConstraint(
                fields=["name", "postcode"],
                name="institution_name_postcode_unique",
                violation_error_message=_("This institution already exists."),
            ),
        ]
        indexes = [
            models.Index(fields=["kind"]),
            models.Index(fields=["municipality"], name="institution_municipality_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.postcode})" if self.postcode else self.name

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        changing = SEARCHED_FIELDS if update_fields is None else SEARCHED_FIELDS & {*update_fields}
        if not changing:
            # Retired, validated, merged: the names and the search column stay as they are.
            return super().save(*args, **kwargs)
        if self.postcode and not self.municipality:
            # A body added with a postcode belongs to its commune (for search and ranking).
            nis = municipalities_of_postcode(self.postcode)
            if len(nis) == 1:
                self.municipality = nis[0]
                self.region = self.region or municipality_by_nis()[nis[0]].region
        self.search_text = body_search_text({name: getattr(self, name) for name in SEARCHED_FIELDS})
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text", "municipality", "region"}
        return super().save(*args, **kwargs)

    def postal_lines(self, language: str | None) -> list[str]:
        """The address lines known, as a letter prints them under the name: the street, then
        the postcode and the commune (in `language` where the commune has a name in it)."""
        municipality = municipality_by_nis().get(self.municipality) if self.municipality else None
        city = ""
        if municipality is not None:
            names = municipality.names
            city = names.get((language or "")[:2]) or names.get("fr") or next(iter(names.values()))
        town = " ".join(part for part in (self.postcode, city) if part)
        return [line for line in (self.street, town) if line]

    def display_name(self, language: str | None) -> str:
        """The body's name in the UI language where it has one, else its own name."""
        return getattr(self, f"name_{(language or '')[:2]}", "") or self.name

    @property
    def is_shared(self) -> bool:
        return self.added_by_id is None or self.validated_at is not None

    def is_visible_to(self, association_id: int | None) -> bool:
        in_use = self.retired_at is None and self.merged_into_id is None
        return in_use and (self.is_shared or self.added_by_id == association_id)


class Referral(models.Model):
    """An orientation out: the association sends the person on, to an EPN or another service."""

    class Destination(models.TextChoices):
        EPN = "epn", _("public digital space (EPN)")
        OTHER_SERVICE = "other_service", _("another service")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        COMPLETED = "completed", _("completed")
        DECLINED = "declined", _("declined")

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="referrals")
    assistance_request = models.ForeignKey(
        "cases.AssistanceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
    )
    destination = models.CharField(_("destination"), max_length=20, choices=Destination.choices)
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    referred_on = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("referral out")
        verbose_name_plural = _("referrals out")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(destination__in=["epn", "other_service"]),
                name="referral_destination_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["proposed", "accepted", "completed", "declined"]),
                name="referral_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_destination_display()} — {self.get_status_display()}"
