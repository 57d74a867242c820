from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.urls import NoReverseMatch, URLPattern, get_resolver, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.two_factor import SecondFactorRefused, second_factor_check_for_token
from taxonomy import CODE_SECTIONS, get_taxonomy
from taxonomy import LANGUAGES as TAXONOMY_LANGUAGES


class TokenCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=(
            "The current code of the user's authenticator app (two-factor authentication). "
            "Required when the account has a confirmed two-factor device; ignored otherwise."
        ),
    )


DETAIL = serializers.CharField()


class TokenCreateApi(APIView):
    """Exchange an email and password for an API token (sent as `Authorization: Token …`).

    An account with a second factor (an authenticator app set up at `/account/two-factor/`)
    also sends the app's current code as `otp`: without it, or with a wrong or used one, the
    answer is 400 naming `otp`, and a wrong code counts as a failed login towards the
    lockout. A director whose association requires a second factor and who has none set up
    gets 403 and sets it up on the web first. Accounts without one send email and password.

    A token lasts `API_TOKEN_TTL_HOURS` (10 h by default) unless revoked before:
    `POST /api/v1/auth/logout/` revokes the token sent; a new password, a second factor
    turned on or replaced, the association starting to require one (for its directors) and
    leaving an association revoke all of the account's tokens.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(
        request=TokenCreateSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description=(
                    "Refused, each reason under its field: `email` or `password` missing or "
                    "malformed; `non_field_errors` for a wrong email or password; `otp` for "
                    "an account with a second factor whose code is missing, wrong or used."
                ),
            ),
            403: OpenApiResponse(
                response=inline_serializer("SecondFactorSetupRequired", {"detail": DETAIL}),
                description=(
                    "The caller is a director of an association that requires a second "
                    "factor and has none set up: `detail` says to set it up on the web."
                ),
            ),
        },
    )
    def post(self, request):
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"]
        user = authenticate(
            request,
            email=email,
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": [_invalid_credentials()]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            second_factor_check_for_token(user=user, code=serializer.validated_data.get("otp"))
        except SecondFactorRefused as refused:
            return _second_factor_refusal(request, email, refused.reason)
        _, token = AuthToken.objects.create(user)
        # A token is a login: the same signal resets the lockout count (django-axes) and
        # records the last login, as the web login does.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response({"token": token}, status=status.HTTP_200_OK)


class TokenLogoutApi(APIView):
    """Revoke the token sent with this call; the account's other tokens keep working.

    Every token of an account is also revoked when its password changes, when it turns on a
    second factor (or replaces its device), when its association starts to require one (the
    directors' tokens) and when it leaves an association.
    """

    # The token is what is revoked: a browser session has none to send (log out on the web).
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="The token is revoked: it now gets 401.")},
    )
    def post(self, request):
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


def _invalid_credentials():
    return _("Unable to log in with the email and password given.")


def _second_factor_refusal(request, email, reason):
    if reason == "setup_required":
        return Response(
            {
                "detail": _(
                    "Your association requires two-factor authentication: set it up in the "
                    "web interface first (/account/two-factor/), then ask for a token with "
                    "your code."
                )
            },
            status=status.HTTP_403_FORBIDDEN,
        )
    if reason == "missing":
        message = _("Verification code required: type the code shown by your authenticator app.")
    else:
        # A wrong code counts towards the lockout like a wrong password (django-axes).
        user_login_failed.send(sender=TokenCreateApi, credentials={"email": email}, request=request)
        message = _("Invalid verification code.")
    return Response({"otp": [message]}, status=status.HTTP_400_BAD_REQUEST)


class TaxonomyApi(APIView):
    """Every code of the taxonomy with its labels in French, Dutch and English."""

    @extend_schema(responses={200: None})
    def get(self, request):
        taxonomy = get_taxonomy()
        body = {"version": taxonomy.version}
        for section in CODE_SECTIONS:
            entries = []
            for item in taxonomy.sections[section]:
                # The receipt's German labels stay out: the API speaks the product's languages.
                labels = {lang: item.labels[lang] for lang in TAXONOMY_LANGUAGES}
                entry = {"code": item.code, "labels": labels}
                if section == "procedure_domains":
                    entry["parent"] = item.parent
                entries.append(entry)
            body[section] = entries
        return Response(body)


API_NAMESPACE = "api"
ROOT_NAME = "root"


def api_endpoints(request) -> dict[str, str]:
    """Every route of the API that takes no id, by its path under the root: read from the
    URL configuration, so that a route added later is listed without being named here."""
    root = reverse(f"{API_NAMESPACE}:{ROOT_NAME}")
    _prefix, resolver = get_resolver().namespace_dict[API_NAMESPACE]
    endpoints = {}
    for pattern in resolver.url_patterns:
        if not isinstance(pattern, URLPattern) or not pattern.name or pattern.name == ROOT_NAME:
            continue
        try:
            path = reverse(f"{API_NAMESPACE}:{pattern.name}")
        except NoReverseMatch:  # a route of one object: its id is in the list's answers
            continue
        endpoints[path.removeprefix(root).strip("/")] = request.build_absolute_uri(path)
    return endpoints


class ApiRootApi(APIView):
    """The index of the API: each endpoint that takes no id, by its path, as an absolute URL.

    Open without a token, like the token endpoint it lists: it names the paths, which the
    documentation (`docs/`, with a token or a session) describes."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: inline_serializer(
                "ApiIndex",
                {
                    "documentation": serializers.URLField(),
                    "schema": serializers.URLField(),
                    "endpoints": serializers.DictField(child=serializers.URLField()),
                },
            )
        }
    )
    def get(self, request):
        return Response(
            {
                "documentation": request.build_absolute_uri(reverse("api:docs")),
                "schema": request.build_absolute_uri(reverse("api:schema")),
                "endpoints": api_endpoints(request),
            }
        )
