"""The federation's side of the API: aggregates under disclosure control and releases
(analysts), and an association's choice to share its figures with its federations
(directors). Thin: evidence's selectors and services do the work."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from evidence import selectors, services
from evidence.models import Release
from rendering.files import CONTENT_TYPES
from rendering.tables import Sheet, csv_bytes
from workload.metrics import PUBLISHED_METRICS
from workload.selectors import period_and_dimension_parse, period_parse

from .permissions import IsAnalyst, IsAssociationMember, IsDirector, request_seat


def _csv_response(filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    response = HttpResponse(
        csv_bytes(Sheet(filename, header, rows)), content_type=CONTENT_TYPES["csv"]
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _federation(request):
    return request_seat(request).federation


def _object_body(request):
    """The body as a mapping: any other JSON value is a 400, as a serializer answers it."""
    data = request.data
    if not isinstance(data, Mapping):
        message = serializers.Serializer.default_error_messages["invalid"]
        raise ApiValidationError(
            {"non_field_errors": [message.format(datatype=type(data).__name__)]}
        )
    return data


def _period(data):
    try:
        return period_parse(data.get("from"), data.get("to"))
    except ValidationError as exc:
        raise ApiValidationError(exc.message_dict) from None


class FederationAggregatesApi(APIView):
    """The federation's monthly table over its sharing members, under disclosure control."""

    permission_classes = [IsAuthenticated, IsAnalyst]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, required=True, description="YYYY-MM"),
            OpenApiParameter("to", OpenApiTypes.STR, required=True, description="YYYY-MM"),
            OpenApiParameter("group_by", OpenApiTypes.STR),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        errors = {}
        period = group_by = None
        query = request.query_params
        try:
            period, group_by = period_and_dimension_parse(
                query.get("from"), query.get("to"), query.get("group_by")
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
        fmt = query.get("format") or "json"
        if fmt not in ("json", "csv"):
            errors["format"] = [_("Use json or csv.")]
        if errors:
            raise ApiValidationError(errors)
        federation = _federation(request)
        table = selectors.federation_aggregates(federation, period, group_by)
        if fmt == "csv":
            header = ["month", "group", "suppressed", *PUBLISHED_METRICS]
            suffix = f"-{group_by}" if group_by else ""
            return _csv_response(
                f"{federation.slug}-aggregates{suffix}-{period.start}-{period.end}.csv",
                header,
                [
                    [row[name] if row[name] is not None else "" for name in header]
                    for row in table["rows"]
                ],
            )
        return Response(table)


class ReleaseSerializer(serializers.ModelSerializer):
    federation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    superseded_by = serializers.SlugRelatedField(slug_field="version", read_only=True)
    supersedes = serializers.SerializerMethodField()
    urls = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = [
            "federation",
            "version",
            "period_start",
            "period_end",
            "k",
            "associations",
            "metrics_version",
            "sha256",
            "published_at",
            "superseded_by",
            "supersedes",
            "urls",
        ]

    def get_supersedes(self, release) -> int | None:
        previous = getattr(release, "supersedes", None)
        return previous.version if previous else None

    def get_urls(self, release) -> dict:
        base = f"/open-data/{release.federation.slug}/releases/{release.version}/"
        return {"page": base, "json": base + "release.json", "csv": base + "release.csv"}


class FederationReleasesApi(APIView):
    """The federation's releases (GET), and publishing a new one for a period (POST)."""

    permission_classes = [IsAuthenticated, IsAnalyst]

    @extend_schema(responses={200: ReleaseSerializer(many=True)})
    def get(self, request):
        releases = selectors.release_list_for_federation(_federation(request)).select_related(
            "federation", "superseded_by", "supersedes"
        )
        return Response(ReleaseSerializer(releases, many=True).data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: ReleaseSerializer})
    def post(self, request):
        period = _period(_object_body(request))
        release = services.release_publish(_federation(request), period, actor=request.user)
        return Response(ReleaseSerializer(release).data, status=status.HTTP_201_CREATED)


class SharingSerializer(serializers.Serializer):
    federation = serializers.CharField(source="federation.slug", read_only=True)
    federation_name = serializers.CharField(source="federation.name", read_only=True)
    shares = serializers.BooleanField(source="shares_aggregates")


class SharingListApi(APIView):
    """The federations of the caller's association and whether it shares its figures."""

    permission_classes = [IsAuthenticated, IsAssociationMember]

    @extend_schema(responses={200: SharingSerializer(many=True)})
    def get(self, request):
        association = request_seat(request).association
        memberships = selectors.sharing_list_for_association(association)
        return Response(SharingSerializer(memberships, many=True).data)


class SharingDetailApi(APIView):
    """A director stops (or resumes) sharing the association's figures with a federation:
    `{"shares": false}` removes them from every new aggregate and release."""

    permission_classes = [IsAuthenticated, IsDirector]

    @extend_schema(request=SharingSerializer, responses={200: SharingSerializer})
    def patch(self, request, federation_slug):
        association = request_seat(request).association
        membership = selectors.sharing_get_for_association(association, federation_slug)
        if membership is None:
            raise Http404
        shares = _object_body(request).get("shares")
        if not isinstance(shares, bool):
            raise ApiValidationError({"shares": [_("Must be true or false.")]})
        change = (
            services.association_resume_sharing if shares else services.association_stop_sharing
        )
        membership = change(
            association=association, federation=membership.federation, actor=request.user
        )
        return Response(SharingSerializer(membership).data)
