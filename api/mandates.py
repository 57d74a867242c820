"""A person's mandates to the association (API.md `/api/v1/mandates/`).

Thin, as the other resources: reads through a scoped selector, writes through the services,
which name every bad field in the caller's language (a term longer than a year is a 400 on
`ends_on`). `consent_text_sha256` is computed by the server from the exact wording printed.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from cases import selectors as case_selectors
from cases.models import Person
from mandates import selectors, services
from mandates.models import FORMS, Mandate
from mandates.presentation import TOP_LEVEL_CODES

from .cases import AssociationResourceViewSet, ServiceSerializer
from .filters import MandateFilter
from .scoping import AssociationScopedRelatedField, service_errors


class MandateSerializer(ServiceSerializer):
    """A person's mandate: the top-level procedure domains it covers and its term."""

    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    person = AssociationScopedRelatedField(
        Person,
        case_selectors.person_list_for_association,
        help_text="The person who gives the mandate (a person of the same association).",
    )
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(TOP_LEVEL_CODES)),
        source="scope_codes",
        allow_empty=False,
        help_text="Top-level procedure domain codes the mandate covers.",
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="At most one year after `starts_on` (inclusive).")
    form = serializers.ChoiceField(choices=list(FORMS))
    language = serializers.CharField(
        read_only=True, help_text="The language the form is printed in."
    )
    consent_text_sha256 = serializers.CharField(
        read_only=True, help_text="SHA-256 of the exact wording printed for the person."
    )
    revoked_on = serializers.DateField(read_only=True, allow_null=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["person"] = instance.person_id
        return data

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        if "person" in data:
            data["person"] = data["person"].pk
        if "scope_codes" in data:
            data["scopes"] = data.pop("scope_codes")
        return data


class RevokeSerializer(serializers.Serializer):
    revoked_on = serializers.DateField(
        required=False, allow_null=True, help_text="Default today; not before `starts_on`."
    )


class MandateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AssociationResourceViewSet):
    """The association's mandates; a revoked mandate is kept."""

    model = Mandate
    scoped_selector = staticmethod(selectors.mandate_list_for_association)
    serializer_class = MandateSerializer
    filterset_class = MandateFilter
    ordering_fields = ["starts_on", "ends_on", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    create_service = staticmethod(services.mandate_create)
    update_service = staticmethod(services.mandate_update)
    update_target = "mandate"

    def get_serializer_class(self):
        # The revocation's body is its own: `revoked_on`, the field its refusals name.
        if getattr(self, "action", None) == "revoke":
            return RevokeSerializer
        return super().get_serializer_class()

    @extend_schema(request=RevokeSerializer, responses=MandateSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def revoke(self, request, pk=None):
        """Revoke the mandate from `revoked_on` (default today) on; it is kept."""
        mandate = self.get_object()
        body = RevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            services.mandate_revoke(
                mandate=mandate,
                actor=request.user,
                revoked_on=body.validated_data.get("revoked_on"),
            )
        return Response(MandateSerializer(self.get_queryset().get(pk=mandate.pk)).data)
