"""Dossiers addressed to one institution, for directors (their association's) and federation
analysts (their federation's). Another owner's dossier is not found, for every method."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit import services as audit
from dossiers import selectors, services
from dossiers.documents import dossier_pdf
from dossiers.models import Dossier, Fixed
from organisations.access import Rule, request_seat
from rendering.pdf import pdf_available
from workload.exports import pdf_unavailable_message

from .permissions import seat_permission
from .scoping import ID_PATTERN, service_errors

IsDirectorOrAnalyst = seat_permission(Rule.DIRECTOR_OR_ANALYST)


def _owner(request) -> dict:
    seat = request_seat(request)
    if seat is None:
        return {}
    return {"association": seat.association, "federation": seat.federation}


class DossierFiguresSerializer(serializers.Serializer):
    transferred_requests = serializers.IntegerField(allow_null=True)
    transferred_minutes = serializers.IntegerField(allow_null=True)
    transferred_value_eur = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True
    )
    referred_transferred_requests = serializers.IntegerField(allow_null=True)
    referred_transferred_minutes = serializers.IntegerField(allow_null=True)
    referred_transferred_value_eur = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True
    )
    non_take_up = serializers.IntegerField(allow_null=True)
    once_only_violations = serializers.IntegerField(allow_null=True)
    associations = serializers.IntegerField()
    suppressed = serializers.BooleanField()


class DossierSerializer(serializers.Serializer):
    """A dossier: `institution` (id), the period `period_from`..`period_to` (YYYY-MM), the
    `sheets` it groups (ids), and its follow-up: `sent_on`, `reply`, `replied_on`, `fixed`
    (`yes`, `partly`, `no`, or "" while unknown). `figures` are the statements' for that
    institution and period (an analyst's: the sharing members' summed, under disclosure
    control). Created with the institution, period and sheets; only the follow-up changes."""

    id = serializers.IntegerField(read_only=True)
    owner = serializers.SerializerMethodField()
    institution = serializers.IntegerField(source="institution_id")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    period_from = serializers.RegexField(r"^\d{4}-\d{2}$", max_length=7)
    period_to = serializers.RegexField(r"^\d{4}-\d{2}$", max_length=7)
    # Read back in to_representation: the sheets its owner may still read.
    sheets = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, write_only=True
    )
    sent_on = serializers.DateField(allow_null=True, required=False)
    reply = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)
    replied_on = serializers.DateField(allow_null=True, required=False)
    fixed = serializers.ChoiceField(choices=Fixed.values, allow_blank=True, required=False)
    figures = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_owner(self, dossier) -> dict:
        owner = dossier.association or dossier.federation
        return {"kind": owner.kind, "name": owner.name}

    @extend_schema(responses=DossierFiguresSerializer)
    def get_figures(self, dossier) -> dict:
        return DossierFiguresSerializer(selectors.dossier_figures(dossier)).data

    def to_representation(self, dossier):
        data = super().to_representation(dossier)
        # The sheets its owner may still read (a sheet unshared since is left out).
        data["sheets"] = [s.pk for s in selectors.dossier_visible_sheets(dossier)]
        return data


class DossierReplySerializer(serializers.Serializer):
    sent_on = serializers.DateField(allow_null=True, required=False)
    reply = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)
    replied_on = serializers.DateField(allow_null=True, required=False)
    fixed = serializers.ChoiceField(choices=Fixed.values, allow_blank=True, required=False)


class DossierViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's dossiers: a director's association's, an analyst's federation's."""

    permission_classes = [permissions.IsAuthenticated, IsDirectorOrAnalyst]
    serializer_class = DossierSerializer
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]
    model = Dossier

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Dossier.objects.none()
        return selectors.dossier_list_for_owner(**_owner(self.request))

    def create(self, request, *args, **kwargs):
        serializer = DossierSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            dossier = services.dossier_create(
                **_owner(request),
                actor=request.user,
                institution=data["institution_id"],
                period_from=data["period_from"],
                period_to=data["period_to"],
                sheets=data["sheets"],
                title=data.get("title", ""),
            )
            reply = {k: data[k] for k in services.REPLY_FIELDS if k in data}
            if reply:
                services.dossier_record_reply(dossier=dossier, actor=request.user, **reply)
        return Response(self._fresh(dossier), status=status.HTTP_201_CREATED)

    @extend_schema(request=DossierReplySerializer, responses=DossierSerializer)
    def partial_update(self, request, *args, **kwargs):
        dossier = self.get_object()
        serializer = DossierReplySerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.dossier_record_reply(
                dossier=dossier, actor=request.user, **serializer.validated_data
            )
        return Response(self._fresh(dossier))

    def _fresh(self, dossier):
        return self.get_serializer(self.get_queryset().get(pk=dossier.pk)).data

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: None})
    @action(detail=True, methods=["get"], url_path="pdf")
    def pdf(self, request, pk=None):
        """The dossier as PDF: the facts, the figures and the follow-up."""
        dossier = self.get_object()
        if not pdf_available():
            return Response({"detail": pdf_unavailable_message()}, status=503)
        exported = dossier_pdf(dossier, (request.LANGUAGE_CODE or "fr")[:2])
        audit.dossier_exported(dossier=dossier, actor=request.user)
        response = HttpResponse(exported.content, content_type=exported.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
        return response
