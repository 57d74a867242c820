"""Workload figures over the API: monthly tables, subcontracting statements, recomputation
and the jobs that follow long work. Thin: selectors and services do the work."""

import csv
import io

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

from workload import selectors, services
from workload.enqueue import publish_on_commit
from workload.metrics import PUBLISHED_METRICS
from workload.models import Job
from workload.tasks import run_recompute_job_task

from .permissions import IsAssociationMember, IsDirector, request_association

PERIOD_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.STR, required=True, description="YYYY-MM"),
    OpenApiParameter("to", OpenApiTypes.STR, required=True, description="YYYY-MM"),
    OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
]
FILE_FORMATS = ("csv",)


def _parse(request, with_dimension=False):
    try:
        period = selectors.period_parse(
            request.query_params.get("from"), request.query_params.get("to")
        )
        group_by = (
            selectors.dimension_parse(request.query_params.get("group_by"))
            if with_dimension
            else None
        )
    except ValidationError as exc:
        raise ApiValidationError(exc.message_dict) from None
    fmt = request.query_params.get("format") or "json"
    if fmt not in ("json", *FILE_FORMATS):
        raise ApiValidationError({"format": [_("Use json or csv.")]})
    return period, group_by, fmt


def _csv_response(filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class WorkloadMonthlyApi(APIView):
    """The monthly table of the caller's association, optionally broken down by a dimension."""

    permission_classes = [IsAuthenticated, IsAssociationMember]

    @extend_schema(
        parameters=[*PERIOD_PARAMETERS, OpenApiParameter("group_by", OpenApiTypes.STR)],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        period, group_by, fmt = _parse(request, with_dimension=True)
        association = request_association(request)
        rows = selectors.monthly_table_for_association(
            association=association, period=period, group_by=group_by
        )
        if fmt == "csv":
            header = ["month", "group", *PUBLISHED_METRICS]
            suffix = f"-{group_by}" if group_by else ""
            return _csv_response(
                f"{association.slug}-monthly{suffix}-{period.start}-{period.end}.csv",
                header,
                [[row[name] if row[name] is not None else "" for name in header] for row in rows],
            )
        return Response(
            {
                "association": association.slug,
                "from": period.start,
                "to": period.end,
                "group_by": group_by,
                "rows": rows,
            }
        )


class WorkloadStatementsApi(APIView):
    """Subcontracting statements of the caller's association for a period."""

    permission_classes = [IsAuthenticated, IsAssociationMember]

    @extend_schema(
        parameters=PERIOD_PARAMETERS, responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT}
    )
    def get(self, request):
        period, _group_by, fmt = _parse(request)
        association = request_association(request)
        statements = selectors.statements_for_association(association=association, period=period)
        if fmt == "csv":
            header = [
                "institution_id",
                "institution",
                "responsible_kind",
                "transferred_requests",
                "transferred_minutes",
                "transferred_value_eur",
                "referred_transferred_requests",
                "referred_transferred_minutes",
                "referred_transferred_value_eur",
                "non_take_up",
                "once_only_violations",
            ]
            rows = [
                [
                    (s["institution"] or {}).get("id", ""),
                    (s["institution"] or {}).get("name", ""),
                    *[s[name] for name in header[2:]],
                ]
                for s in statements
            ]
            return _csv_response(
                f"{association.slug}-statements-{period.start}-{period.end}.csv", header, rows
            )
        return Response(
            {
                "association": association.slug,
                "from": period.start,
                "to": period.end,
                "statements": statements,
            }
        )


class JobSerializer(serializers.ModelSerializer):
    class Meta:
        model = Job
        fields = ["id", "kind", "state", "progress", "created_at", "finished_at", "error"]


class WorkloadRecomputeApi(APIView):
    """Queue a full recomputation of the caller's association's figures (directors)."""

    permission_classes = [IsAuthenticated, IsDirector]

    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request):
        job = services.job_create(
            kind=Job.Kind.RECOMPUTE, association=request_association(request), actor=request.user
        )
        publish_on_commit(run_recompute_job_task, job.pk)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class JobDetailApi(APIView):
    """The state and progress (0–100) of a job of the caller's association."""

    permission_classes = [IsAuthenticated, IsAssociationMember]

    @extend_schema(responses={200: JobSerializer})
    def get(self, request, pk):
        job = Job.objects.filter(association=request_association(request), pk=pk).first()
        if job is None:
            raise Http404
        return Response(JobSerializer(job).data)
