"""Who may call what: DRF permission classes built from the rules of `organisations.access`,
which the pages use too. The caller's seat is looked up once per request and every
association-scoped view reads through `request_association`."""

from rest_framework.permissions import BasePermission

from organisations.access import Rule, SeatRule, request_association, request_seat

__all__ = [
    "IsAnalyst",
    "IsAssociationMember",
    "IsDirector",
    "SeatPermission",
    "request_association",
    "request_seat",
    "seat_permission",
]


class SeatPermission(BasePermission):
    """Grants what its `rule` grants, and refuses with the rule's message."""

    rule: SeatRule

    def has_permission(self, request, view):
        return self.rule.allows(request_seat(request))


def seat_permission(rule: SeatRule) -> type[SeatPermission]:
    return type(
        f"Is{rule.name}",
        (SeatPermission,),
        {"rule": rule, "message": rule.message, "__module__": __name__},
    )


# An analyst gets 403 on association paths, a worker or a director on the federation's.
IsAssociationMember = seat_permission(Rule.ASSOCIATION_MEMBER)
IsDirector = seat_permission(Rule.DIRECTOR)
IsAnalyst = seat_permission(Rule.ANALYST)
