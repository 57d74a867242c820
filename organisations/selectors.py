"""Who is this user, for the product: their association or federation and role."""

from dataclasses import dataclass

from .models import (
    Association,
    Federation,
    FederationMembership,
    Membership,
    Organisation,
    ReferenceAmount,
    Role,
)


@dataclass(frozen=True)
class Seat:
    """The organisation a user acts in and their role there."""

    organisation: Organisation
    role: str

    @property
    def association(self) -> Association | None:
        return getattr(self.organisation, "association", None)

    @property
    def federation(self) -> Federation | None:
        return getattr(self.organisation, "federation", None)


def seat_for_user(user) -> Seat | None:
    """The user's first membership (a user normally works in one organisation)."""
    if not getattr(user, "is_authenticated", False):
        return None
    membership = (
        Membership.objects.filter(user=user)
        .select_related("organisation__association", "organisation__federation")
        .order_by("id")
        .first()
    )
    if membership is None:
        return None
    return Seat(organisation=membership.organisation, role=membership.role)


def federation_membership_list_for_association(*, association):
    """The federations an association belongs to, each membership with its federation."""
    return FederationMembership.objects.filter(association=association).select_related("federation")


def association_signatory_name(*, association) -> str:
    """Who signs the association's letters: the name set on its letterhead, else that of its
    longest-standing director who has a name (empty when none has)."""
    if association.signatory_name:
        return association.signatory_name
    director = (
        Membership.objects.filter(organisation=association, role=Role.DIRECTOR)
        .exclude(user__full_name="")
        .order_by("created_at", "pk")
        .values_list("user__full_name", flat=True)
        .first()
    )
    return director or ""


def reference_amount_list_for_association(*, association):
    """The association's reference amounts, by procedure, the newest first."""
    return ReferenceAmount.objects.for_association(association).order_by(
        "procedure_domain", "situation", "-valid_from", "id"
    )


def reference_amount_get_for_association(*, association, pk) -> ReferenceAmount | None:
    """One of the association's rows; another association's is None (the page answers 404)."""
    return ReferenceAmount.objects.for_association(association).filter(pk=pk).first()


def reference_amounts_in_force(*, association, on) -> dict[str, list[ReferenceAmount]]:
    """For each procedure, the amounts in force on `on`: of the rows of one situation, the one
    valid from the latest day not after `on`."""
    in_force = {}
    seen = set()
    for amount in reference_amount_list_for_association(association=association).filter(
        valid_from__lte=on
    ):
        key = (amount.procedure_domain, amount.situation)
        if key in seen:
            continue
        seen.add(key)
        in_force.setdefault(amount.procedure_domain, []).append(amount)
    return in_force
