"""The contact-attempt diary of the caller's association (METRICS.md, API.md).

Thin, as the log's resources: fields derived from `attempts.fields`, reads through a scoped
selector, writes through the services.
"""

from rest_framework import mixins, serializers

from attempts import selectors, services
from attempts.fields import ATTEMPT_FIELDS
from attempts.models import ContactAttempt
from cases import selectors as case_selectors
from cases.entry_fields import Kind
from cases.models import AssistanceRequest

from .cases import (
    AssociationResourceViewSet,
    ScannedTextMixin,
    ServiceDestroyMixin,
    ServiceSerializer,
    field_serializer,
)
from .filters import ContactAttemptFilter
from .scoping import AssociationScopedRelatedField

# The attempt's fields, declared from the definition, as the entry's are.
ContactAttemptFieldsSerializer = type(
    "ContactAttemptFieldsSerializer",
    (ServiceSerializer,),
    {
        "id": serializers.IntegerField(read_only=True),
        **{f.name: field_serializer(f) for f in ATTEMPT_FIELDS},
        "assistance_request": AssociationScopedRelatedField(
            AssistanceRequest,
            case_selectors.assistance_request_list_for_association,
            allow_null=True,
            required=False,
            help_text="The entry the attempt was for (an entry of the same association).",
        ),
    },
)


class ContactAttemptSerializer(ScannedTextMixin, ContactAttemptFieldsSerializer):
    """One attempt to reach an institution: the time its channels cost (METRICS.md)."""

    scanned_text_fields = tuple(f.name for f in ATTEMPT_FIELDS if f.kind is Kind.TEXT)


class ContactAttemptViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceDestroyMixin,
    AssociationResourceViewSet,
):
    """The association's diary of attempts to reach an institution."""

    model = ContactAttempt
    scoped_selector = staticmethod(selectors.contact_attempt_list_for_association)
    serializer_class = ContactAttemptSerializer
    filterset_class = ContactAttemptFilter
    ordering_fields = ["occurred_on", "waited_minutes", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    create_service = staticmethod(services.contact_attempt_create)
    update_service = staticmethod(services.contact_attempt_update)
    update_target = "attempt"
    delete_service = staticmethod(services.contact_attempt_delete)
    delete_target = "attempt"
