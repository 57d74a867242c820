"""Tenant scoping of the API, in one place.

Every resource of an association is a viewset built on `AssociationScopedMixin`: its queryset
is read through a selector of the caller's association, so another association's object is
simply not found (404) for every method, and its rows never appear in a list. Related fields
that point at an association's rows (`person`, `entries`) use `AssociationScopedRelatedField`,
which looks ids up through a selector of the caller's association too, so an id of another
association's row is "unknown" (400), never attached.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import IsAuthenticated

from organisations.access import request_association

from .filters import StrictOrderingFilter
from .permissions import IsAssociationMember

# Ids in URLs are database ids: a longer number cannot name a row, so it is not a route.
ID_PATTERN = r"[0-9]{1,18}"


class AssociationResourcePermission(IsAssociationMember):
    """Workers and directors of an association. Anyone else gets 403 on the lists and 404 on
    the objects, exactly as for an object that does not exist."""

    def has_permission(self, request, view):
        if super().has_permission(request, view):
            return True
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
        if lookup in getattr(view, "kwargs", {}):
            raise NotFound
        return False


class AssociationScopedMixin:
    """Base of every association resource: reads go through `scoped_selector`, a selector
    taking `association=` whose result holds only that association's rows."""

    permission_classes = [IsAuthenticated, AssociationResourcePermission]
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    lookup_value_regex = ID_PATTERN
    model = None
    scoped_selector = None

    def get_queryset(self):
        association = None
        if not getattr(self, "swagger_fake_view", False):
            association = request_association(self.request)
        if association is None:
            return self.model.objects.none()
        return type(self).scoped_selector(association=association)

    def get_association(self):
        return request_association(self.request)

    def options(self, request, *args, **kwargs):
        # OPTIONS is offered on every path: on an object path it too answers 404 for an
        # object the caller's association does not hold.
        if self.lookup_url_kwarg in kwargs or self.lookup_field in kwargs:
            self.get_object()
        return super().options(request, *args, **kwargs)


class AssociationScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key of a row of the caller's association, read through `selector` (taking
    `association=`); any other id is unknown."""

    default_error_messages = {
        "does_not_exist": _("Unknown id {pk_value}."),
        "incorrect_type": _("Expected an id, got {data_type}."),
    }

    def __init__(self, model, selector, **kwargs):
        self.scoped_model = model
        self.scoped_selector = selector
        kwargs.setdefault("queryset", model.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        association = request_association(request) if request is not None else None
        if association is None:
            return self.scoped_model.objects.none()
        # Each id is looked up on its own: what a list prefetches with each row is not needed.
        return self.scoped_selector(association=association).prefetch_related(None)


@contextmanager
def service_errors():
    """Turn a service's ValidationError (naming each bad field) into a 400 with that body."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise ApiValidationError(exc.message_dict) from None
        raise ApiValidationError({"non_field_errors": exc.messages}) from None
