"""Persons, the assistance-request log and incident sheets of the caller's association.

Thin: serializers parse and format, selectors read (scoped through AssociationScopedMixin),
services write. A service's ValidationError becomes a 400 naming each bad field.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from cases import selectors, services
from cases.entry_fields import ENTRY_FIELDS, EntryField, Kind, fields_of
from cases.exports import person_document
from cases.models import LANGUAGE_CODES, AssistanceRequest, IncidentSheet, Person
from dossiers import selectors as dossier_selectors
from organisations.access import Rule, request_federation, request_seat
from privacy import identifiers
from referrals.models import Institution
from taxonomy import get_taxonomy

from .filters import AssistanceRequestFilter, IncidentSheetFilter, PersonFilter
from .scoping import (
    AssociationResourcePermission,
    AssociationScopedMixin,
    AssociationScopedRelatedField,
    service_errors,
)


def _codes(section):
    return list(get_taxonomy().codes(section))


def _code_field(section, **kwargs):
    return serializers.ChoiceField(choices=_codes(section), **kwargs)


def _institution_field():
    return serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(), allow_null=True, required=False
    )


class ServiceSerializer(serializers.Serializer):
    """Parses a body into the keyword arguments of a service (only the fields sent, on PATCH)."""

    def service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        data.pop("keep_identifiers", None)
        return data


class ScannedTextMixin(serializers.Serializer):
    """Free text holding a personal identifier is refused, naming the field, unless the caller
    keeps it on purpose with `keep_identifiers: true` (the web form's "keep" choice)."""

    scanned_text_fields: tuple[str, ...] = ()
    keep_identifiers = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Store free text even when it holds a national register number, an IBAN, a "
        "phone number, an e-mail address, a PIN or a password (refused with 400 otherwise).",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("keep_identifiers"):
            return attrs
        errors = {}
        for field in self.scanned_text_fields:
            findings = identifiers.scan(attrs.get(field) or "")
            if findings:
                errors[field] = [
                    _(
                        "This text contains a %(kinds)s: remove it, or send keep_identifiers "
                        "to keep it on purpose."
                    )
                    % {"kinds": identifiers.kinds_found(findings)}
                ]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class AssociationResourceViewSet(AssociationScopedMixin, viewsets.GenericViewSet):
    """Create and update through the services; DELETE only where a service deletes."""

    create_service = None
    update_service = None
    update_target = None  # the keyword under which the update service takes the object

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            instance = type(self).create_service(
                association=self.get_association(),
                actor=request.user,
                **serializer.service_kwargs(),
            )
        return Response(self._fresh(instance), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            instance = type(self).update_service(
                **{self.update_target: instance}, actor=request.user, **serializer.service_kwargs()
            )
        return Response(self._fresh(instance))

    def _fresh(self, instance):
        # Read back through the scoped selector, so the answer is what a GET would show.
        return self.get_serializer(self.get_queryset().get(pk=instance.pk)).data


class ServiceDestroyMixin:
    """DELETE through a service, for the resources whose contract offers it."""

    delete_service = None
    delete_target = None

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        with service_errors():
            type(self).delete_service(**{self.delete_target: instance}, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Persons ---------------------------------------------------------------------------------


class PersonSerializer(ServiceSerializer):
    """A pseudonymous person: a code chosen by the association, never a name."""

    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(
        max_length=30, help_text="A pseudonym, never a name or a national register number."
    )
    birth_year = serializers.IntegerField(allow_null=True, required=False)
    postcode = serializers.CharField(allow_blank=True, required=False, max_length=10)
    language = serializers.ChoiceField(choices=list(LANGUAGE_CODES), required=False)


def field_serializer(f: EntryField) -> serializers.Field:
    """The API's field of one field of the entry definition (as the services check it)."""
    optional = {"required": False} if not f.required or f.optional_code else {}
    if f.kind is Kind.DATE:
        if not f.required:
            return serializers.DateField(required=False, allow_null=True)
        return serializers.DateField()
    if f.kind is Kind.INTEGER:
        return serializers.IntegerField(min_value=f.minimum, max_value=f.maximum, **optional)
    if f.kind is Kind.DECIMAL:
        return serializers.DecimalField(
            max_digits=12,
            decimal_places=f.decimal_places,
            min_value=f.minimum,
            max_value=f.maximum,
            **optional,
        )
    if f.kind is Kind.CODE and f.set_by:
        help_text = f"Required unless `{f.set_by}` is given; then the institution's kind is stored."
        return _code_field(f.section, help_text=help_text, **optional)
    if f.kind is Kind.CODE and not f.required and f.default is None:
        return _code_field(f.section, allow_null=True, **optional)  # null: no code given
    if f.kind is Kind.CODE:
        return _code_field(f.section, **optional)
    if f.kind is Kind.CODES:
        return serializers.ListField(
            child=_code_field(f.section), required=False, source=f.attribute
        )
    if f.kind is Kind.INSTITUTION:
        return _institution_field()
    if f.kind is Kind.PERSON:
        return AssociationScopedRelatedField(
            Person, selectors.person_list_for_association, allow_null=True, required=False
        )
    return serializers.CharField(
        allow_blank=True, required=False, max_length=f.max_length, trim_whitespace=False
    )


# The entry's fields, declared from the definition (DRF collects fields when a class is made).
EntryFieldsSerializer = type(
    "EntryFieldsSerializer",
    (ServiceSerializer,),
    {
        "id": serializers.IntegerField(read_only=True),
        **{f.name: field_serializer(f) for f in ENTRY_FIELDS},
    },
)


class AssistanceRequestSerializer(ScannedTextMixin, EntryFieldsSerializer):
    """One entry of the log (fields as in METRICS.md), in the order of `cases.entry_fields`."""

    scanned_text_fields = tuple(f.name for f in fields_of(Kind.TEXT))

    def service_kwargs(self):
        data = super().service_kwargs()
        for f in fields_of(Kind.CODES):
            if f.attribute in data:
                data[f.name] = data.pop(f.attribute)
        return data


class IncidentSheetSerializer(ScannedTextMixin, ServiceSerializer):
    """An anonymised narrative of a situation that must be told."""

    scanned_text_fields = ("title", "narrative")

    id = serializers.IntegerField(read_only=True)
    occurred_on = serializers.DateField()
    title = serializers.CharField(max_length=200)
    narrative = serializers.CharField()
    procedure_domain = _code_field(
        "procedure_domains", required=False, allow_null=True, allow_blank=True
    )
    responsible_kind = _code_field(
        "referrer_types", required=False, allow_null=True, allow_blank=True
    )
    responsible_institution = _institution_field()
    barriers = serializers.ListField(child=_code_field("digital_barriers"), required=False)
    entries = AssociationScopedRelatedField(
        AssistanceRequest,
        selectors.assistance_request_list_for_association,
        many=True,
        required=False,
    )
    shared = serializers.BooleanField(required=False)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # An optional code that was not given is null, not an empty string.
        for name in ("procedure_domain", "responsible_kind"):
            data[name] = data[name] or None
        return data


class PersonExportSerializer(PersonSerializer):
    """Everything held about one person: the person, their entries, the sheets linking them.

    Describes, for the schema, the document that `cases.exports.person_document` builds."""

    created_at = serializers.DateTimeField(read_only=True)
    assistance_requests = AssistanceRequestSerializer(many=True, read_only=True)
    incidents = IncidentSheetSerializer(many=True, read_only=True)


class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceDestroyMixin,
    AssociationResourceViewSet,
):
    """The association's persons (pseudonymous). DELETE erases the person; their entries stay,
    anonymised, and the figures do not change."""

    model = Person
    scoped_selector = staticmethod(selectors.person_list_for_association)
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    ordering_fields = ["code", "birth_year", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    create_service = staticmethod(services.person_create)
    update_service = staticmethod(services.person_update)
    update_target = "person"
    delete_service = staticmethod(services.person_erase)
    delete_target = "person"

    @extend_schema(responses={200: PersonExportSerializer, 404: None})
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def export(self, request, pk=None):
        """Everything the association holds about this person (right of access)."""
        document = person_document(association=self.get_association(), person_id=pk)
        if document is None:
            raise Http404
        return Response(document)


class AssistanceRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceDestroyMixin,
    AssociationResourceViewSet,
):
    """The association's log of assistance requests."""

    model = AssistanceRequest
    scoped_selector = staticmethod(selectors.assistance_request_list_for_association)
    serializer_class = AssistanceRequestSerializer
    filterset_class = AssistanceRequestFilter
    ordering_fields = ["occurred_on", "duration_minutes", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    create_service = staticmethod(services.assistance_request_create)
    update_service = staticmethod(services.assistance_request_update)
    update_target = "entry"
    delete_service = staticmethod(services.assistance_request_delete)
    delete_target = "entry"


class SharedIncidentSheetSerializer(serializers.Serializer):
    """A shared sheet as a federation analyst reads it: its free text passed through the
    identifier scan (whatever it finds is blanked), the number of entries it documents (never
    the entries) and `association`, the association's name, null unless it signs its sheets."""

    id = serializers.IntegerField(read_only=True)
    occurred_on = serializers.DateField(read_only=True)
    title = serializers.CharField(read_only=True)
    narrative = serializers.CharField(read_only=True)
    procedure_domain = serializers.CharField(read_only=True, allow_null=True)
    responsible_kind = serializers.CharField(read_only=True, allow_null=True)
    responsible_institution = serializers.IntegerField(read_only=True, allow_null=True)
    barriers = serializers.ListField(child=serializers.CharField(), read_only=True)
    entries_count = serializers.IntegerField(read_only=True)
    association = serializers.CharField(read_only=True, allow_null=True)

    def to_representation(self, instance):
        return super().to_representation(dossier_selectors.masked_sheet(instance))


def _is_analyst(request) -> bool:
    return Rule.ANALYST.allows(request_seat(request))


class IncidentSheetPermission(AssociationResourcePermission):
    """Workers and directors on their association's sheets; a federation analyst reads the
    shared sheets of the federation's sharing members and writes nothing. A sheet an analyst
    may not read is not found, for every method."""

    def has_permission(self, request, view):
        if _is_analyst(request):
            if request.method in permissions.SAFE_METHODS:
                return True
            pk = view.kwargs.get(view.lookup_url_kwarg or view.lookup_field)
            if pk is not None and (
                dossier_selectors.shared_sheet_get_for_federation(
                    federation=request_federation(request), pk=pk
                )
                is None
            ):
                raise NotFound
            return False
        return super().has_permission(request, view)


class IncidentSheetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    AssociationResourceViewSet,
):
    """Incident sheets: kept for the record, so they can be changed but never deleted.

    A federation analyst reads here the shared sheets of the federation's sharing members,
    masked (`SharedIncidentSheetSerializer`); an unshared sheet never reaches an analyst."""

    permission_classes = [permissions.IsAuthenticated, IncidentSheetPermission]

    def get_queryset(self):
        if not getattr(self, "swagger_fake_view", False) and _is_analyst(self.request):
            return dossier_selectors.shared_sheet_list_for_federation(
                federation=request_federation(self.request)
            )
        return super().get_queryset()

    def get_serializer_class(self):
        if not getattr(self, "swagger_fake_view", False) and _is_analyst(self.request):
            return SharedIncidentSheetSerializer
        return super().get_serializer_class()

    model = IncidentSheet
    scoped_selector = staticmethod(selectors.incident_sheet_list_for_association)
    serializer_class = IncidentSheetSerializer
    filterset_class = IncidentSheetFilter
    ordering_fields = ["occurred_on", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    create_service = staticmethod(services.incident_sheet_create)
    update_service = staticmethod(services.incident_sheet_update)
    update_target = "sheet"
