"""Workload figures over the API: monthly tables, subcontracting statements, recomputation
and the jobs that follow long work. Thin: selectors and services do the work."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from freshness.enqueue import publish_on_commit
from rendering.files import ExportFile
from workload import exports, selectors, services
from workload.models import Job
from workload.statements import statements_export
from workload.tasks import run_recompute_job_task

from .permissions import IsAssociationMember, IsDirector, request_association

PERIOD_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.STR, required=True, description="YYYY-MM"),
    OpenApiParameter("to", OpenApiTypes.STR, required=True, description="YYYY-MM"),
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        enum=["json", *exports.FORMATS],
        description="csv: codes as header, comma, dot decimal; csv-be: for Excel in Belgium "
        "(semicolon, decimal comma, dd/mm/yyyy, UTF-8 with BOM, header in the user's language)",
    ),
]
FILE_FORMATS = exports.FORMATS


def _parse(request, with_dimension=False):
    query = request.query_params
    try:
        period, group_by = selectors.period_and_dimension_parse(
            query.get("from"), query.get("to"), query.get("group_by") if with_dimension else None
        )
    except ValidationError as exc:
        raise ApiValidationError(exc.message_dict) from None
    fmt = request.query_params.get("format") or "json"
    if fmt not in ("json", *FILE_FORMATS):
        formats = ", ".join(("json", *FILE_FORMATS))
        raise ApiValidationError(
            {"format": [_("Choose one of: %(formats)s.") % {"formats": formats}]}
        )
    return period, group_by, fmt


def _file_response(file: ExportFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


def _pdf_unavailable() -> Response:
    # The server lacks WeasyPrint's system packages: say so plainly rather than fail.
    return Response(
        {"format": [exports.pdf_unavailable_message()]},
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


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
        if fmt in FILE_FORMATS:
            if fmt == "pdf" and not exports.pdf_available():
                return _pdf_unavailable()
            return _file_response(
                exports.monthly_export(
                    association=association, period=period, group_by=group_by, fmt=fmt
                )
            )
        rows = selectors.monthly_table_for_association(
            association=association, period=period, group_by=group_by
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
    """Subcontracting statements of the caller's association for a period.

    Each statement gives the transferred and referred-transferred entries, minutes and euro
    values, `non_take_up`, `once_only_violations`, `do_for_requests` and of them
    `do_for_without_mandate` (done in the person's place with no mandate in force), the
    rights ledger of those entries
    (`rights_at_risk`, `rights_lost`, `rights_delayed_value_eur`, `rights_lost_value_eur`,
    `extra_cost_eur`), the contact attempts to the body (`attempts`, `failed_attempts`,
    `owed_attempts`, `owed_attempt_minutes`, `owed_attempt_value_eur`, and
    `attempts_by_channel`: one row per channel and result), `owed_minutes`, `owed_value_eur`,
    and the splits `by_procedure_domain`, `by_barrier` (with the rights figures) and `months`.
    A body with owed attempts and no transferred entry has a statement too."""

    permission_classes = [IsAuthenticated, IsAssociationMember]

    @extend_schema(
        parameters=PERIOD_PARAMETERS, responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT}
    )
    def get(self, request):
        period, _group_by, fmt = _parse(request)
        association = request_association(request)
        if fmt in FILE_FORMATS:
            if fmt == "pdf" and not exports.pdf_available():
                return _pdf_unavailable()
            return _file_response(
                statements_export(association=association, period=period, fmt=fmt)
            )
        statements = selectors.statements_for_association(association=association, period=period)
        return Response(
            {
                "association": association.slug,
                "from": period.start,
                "to": period.end,
                "statements": statements,
            }
        )


class JobSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "state",
            "progress",
            "created_at",
            "finished_at",
            "error",
            "download",
        ]

    def get_download(self, job) -> str | None:
        """Where a finished export is fetched (with the same credentials), else null."""
        if exports.export_job_file(job) is None:
            return None
        return reverse("workload:job-download", args=[job.pk])


class RecomputeRequestSerializer(serializers.Serializer):
    """A recomputation covers every month of the association: there is nothing to choose, so
    the body is empty or `{}`. Any field is refused by name, so that a client that believes
    it chose something learns that it did not."""

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise ApiValidationError({name: [_("Unknown field.")] for name in unknown[:20]})
        return attrs


RECOMPUTE_REQUEST_SCHEMA = {
    "type": "object",
    "properties": {},
    "additionalProperties": False,
    "description": "Empty, or an empty object: any field is a 400 naming it.",
}


class WorkloadRecomputeApi(APIView):
    """Queue a full recomputation of the caller's association's figures (directors). While
    one is queued or running, the answer is that job: no second one is queued."""

    permission_classes = [IsAuthenticated, IsDirector]

    @extend_schema(
        request={"application/json": RECOMPUTE_REQUEST_SCHEMA},
        responses={202: JobSerializer},
        description=(
            "Answers 202 with the job. While a recomputation of the association is queued "
            "or running, answers 202 with that same job and queues nothing."
        ),
    )
    def post(self, request):
        RecomputeRequestSerializer(data=request.data).is_valid(raise_exception=True)
        job, created = services.recompute_job_queue(
            association=request_association(request), actor=request.user
        )
        if created:
            publish_on_commit(run_recompute_job_task, job.pk)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class JobDetailApi(APIView):
    """The state and progress (0–100) of a job of the caller's association."""

    permission_classes = [IsAuthenticated, IsAssociationMember]

    @extend_schema(responses={200: JobSerializer})
    def get(self, request, pk):
        job = selectors.job_get_for_association(association=request_association(request), pk=pk)
        if job is None:
            raise Http404
        return Response(JobSerializer(job).data)
