from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from taxonomy import CODE_SECTIONS, get_taxonomy


class TokenCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenCreateApi(APIView):
    """Exchange an email and password for an API token (sent as `Authorization: Token …`)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(
        request=TokenCreateSerializer,
        responses={200: inline_serializer("Token", {"token": serializers.CharField()}), 400: None},
    )
    def post(self, request):
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request,
            email=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": [_invalid_credentials()]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        _, token = AuthToken.objects.create(user)
        return Response({"token": token}, status=status.HTTP_200_OK)


def _invalid_credentials():
    from django.utils.translation import gettext

    return gettext("Unable to log in with the email and password given.")


class TaxonomyApi(APIView):
    """Every code of the taxonomy with its labels in French, Dutch and English."""

    @extend_schema(responses={200: None})
    def get(self, request):
        taxonomy = get_taxonomy()
        body = {"version": taxonomy.version}
        for section in CODE_SECTIONS:
            entries = []
            for item in taxonomy.sections[section]:
                entry = {"code": item.code, "labels": dict(item.labels)}
                if section == "procedure_domains":
                    entry["parent"] = item.parent
                entries.append(entry)
            body[section] = entries
        return Response(body)
