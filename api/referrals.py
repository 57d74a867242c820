"""The institution registry, shared by every association (public bodies and firms only)."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from referrals.models import INSTITUTION_KINDS
from referrals.selectors import institutions_list_for_association
from referrals.services import institution_create

from .filters import InstitutionFilter, StrictOrderingFilter
from .permissions import IsAssociationMember, request_association
from .scoping import service_errors


class InstitutionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=list(INSTITUTION_KINDS))
    postcode = serializers.CharField(allow_blank=True, required=False, max_length=10)


class InstitutionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The registry is not an association's data, but only associations use it: an analyst
    gets 403 here as on every association list. A body an association adds is listed for that
    association alone until it is validated for everyone."""

    permission_classes = [IsAuthenticated, IsAssociationMember]
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilter
    ordering_fields = ["name", "kind", "postcode", "id"]

    def get_queryset(self):
        association = request_association(self.request)
        return institutions_list_for_association(
            association_id=association.pk if association else None
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            institution = institution_create(
                association=request_association(request),
                actor=request.user,
                **serializer.validated_data,
            )
        return Response(self.get_serializer(institution).data, status=status.HTTP_201_CREATED)
