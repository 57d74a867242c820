"""Records in the audit trail the reads of persons' records that the routes below serve.

Runs inside `audit.middleware.AuditContextMiddleware`, so each event has the client address.
"""

from audit import services as audit

from .models import Person

# Routes whose successful GET shows persons' records: route name -> (event, URL kwarg).
PERSON_READ_ROUTES = {
    "api:person-detail": (audit.person_read, "pk"),
    "api:person-export": (audit.person_exported, "pk"),
    "api:person-list": (audit.persons_listed, None),
    "cases:persons_json": (audit.persons_listed, None),
}


def person_read_record(event, *, user, person_pk=None, route=""):
    """A successful GET of a person's record (or of a list of persons) by `user`."""
    if event is audit.persons_listed:
        membership = (
            user.memberships.select_related("organisation")
            .filter(organisation__kind="association")
            .first()
        )
        association_id = membership.organisation_id if membership else None
        return audit.persons_listed(association_id=association_id, actor=user, route=route)
    person = Person.objects.filter(pk=person_pk).first()
    if person is None:
        return None
    return event(person=person, actor=user)


class PersonReadAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        self._record_read(request, response)
        return response

    def _record_read(self, request, response):
        match = getattr(request, "resolver_match", None)
        if request.method != "GET" or response.status_code != 200 or match is None:
            return
        route = PERSON_READ_ROUTES.get(match.view_name)
        if route is None:
            return
        event, kwarg = route
        user = getattr(request, "user", None)
        if not getattr(user, "is_authenticated", False):
            return
        if kwarg is None:
            person_read_record(event, user=user, route=match.view_name)
        else:
            person_read_record(event, user=user, person_pk=match.kwargs.get(kwarg))
