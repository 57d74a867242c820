"""Orientations of the caller's association: sent through the API as from an entry's page,
answered by the receiving service through its signed link (never through the API), and their
figures per month and per target (`figures/`)."""

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from cases import selectors as case_selectors
from cases.models import AssistanceRequest
from organisations.access import request_association
from orientations import selectors, services
from orientations.models import RECIPIENT_LANGUAGES, Orientation
from referrals.selectors import institutions_list_for_association
from workload.selectors import period_parse

from .cases import AssociationResourceViewSet, ServiceSerializer
from .scoping import AssociationScopedRelatedField
from .workload import PERIOD_PARAMETERS


@extend_schema_field(OpenApiTypes.INT)
class _VisibleInstitutionField(serializers.PrimaryKeyRelatedField):
    """A body of the registry the caller's association may choose."""

    def get_queryset(self):
        request = self.context.get("request")
        association = request_association(request) if request is not None else None
        return institutions_list_for_association(association_id=getattr(association, "pk", None))


class OrientationSerializer(ServiceSerializer):
    """One orientation out and the receiving service's answer."""

    id = serializers.IntegerField(read_only=True)
    assistance_request = AssociationScopedRelatedField(
        AssistanceRequest,
        case_selectors.assistance_request_list_for_association,
        help_text="The entry the orientation is sent from (an entry of the same association).",
    )
    institution = _VisibleInstitutionField(
        allow_null=True, required=False, help_text="A body of the registry, or null."
    )
    recipient_name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="The service or contact, when no body of the registry is given.",
    )
    recipient_email = serializers.EmailField(help_text="Where the signed link is sent.")
    recipient_language = serializers.ChoiceField(
        choices=list(RECIPIENT_LANGUAGES), help_text="Language of the e-mail: fr, nl or en."
    )
    need = serializers.CharField(
        max_length=services.MAX_NEED_LENGTH,
        help_text="What the person needs; refused (400) if it holds a personal identifier.",
    )
    shares = serializers.ListField(
        child=serializers.ChoiceField(choices=Orientation.Share.values),
        write_only=True,
        required=False,
        help_text="What else the person consented to share: procedure, language, birth_year, "
        "postcode.",
    )
    consent = serializers.BooleanField(
        write_only=True, help_text="Must be true: the person agrees to the orientation."
    )
    shared = serializers.JSONField(read_only=True)
    status = serializers.CharField(read_only=True)
    refusal_reason = serializers.CharField(read_only=True)
    sent_at = serializers.DateTimeField(read_only=True)
    month = serializers.CharField(read_only=True)
    answered_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    reminded_at = serializers.DateTimeField(read_only=True)
    expired_at = serializers.DateTimeField(read_only=True)

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        for name in ("assistance_request", "institution"):
            if data.get(name) is not None:
                data[name] = data[name].pk
        return data


def _send(*, association, actor, **fields):
    return services.orientation_send(association=association, actor=actor, **fields)


class OrientationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, AssociationResourceViewSet
):
    """The association's orientations out. POST sends one (the e-mail goes at once); the
    answer comes from the receiving service through the link, so there is no PATCH."""

    model = Orientation
    scoped_selector = staticmethod(selectors.orientation_list_for_association)
    serializer_class = OrientationSerializer
    ordering_fields = ["sent_at", "id"]
    http_method_names = ["get", "post", "head", "options"]
    create_service = staticmethod(_send)

    @extend_schema(
        parameters=PERIOD_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"], url_path="figures")
    def figures(self, request):
        """Per month of sending and per target: sent, accepted, refused, done, no_show,
        expired, awaiting and the median days to the first answer; `totals` for the period."""
        try:
            period = period_parse(request.query_params.get("from"), request.query_params.get("to"))
        except ValidationError as exc:
            raise ApiValidationError(exc.message_dict) from None
        association = self.get_association()
        language = (get_language() or "fr")[:2]
        return Response(
            {
                "from": period.start,
                "to": period.end,
                "totals": selectors.orientation_totals_for_association(
                    association=association, start=period.start, end=period.end
                ),
                "rows": selectors.orientation_figures_for_association(
                    association=association,
                    start=period.start,
                    end=period.end,
                    language=language,
                ),
            }
        )
