"""Token login for API clients: POST username + password, get a Bearer token; DELETE with it to revoke it. And
/api/me/ (your zone, your calendar URL).

Failed logins count towards the lockout (django-axes, settings AXES_*) like the login page and the admin's; on top
of that the endpoint is throttled per client IP (API_RATE_LOGIN)."""

from django.contrib.auth import authenticate
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.openapi import documented, non_blank_text
from core.throttling import ScopedRateThrottle
from users.errors import InvalidCredentials, LoginLockedOut, NotATokenRequest
from users.services import user_calendar_token, user_regenerate_calendar_token, user_update_timezone
from users.timezones import timezone_names
from users.tokens import token_create, token_revoke_instance


def _token_authenticators() -> list:
    """The API's header authentication (Bearer), without the session one: revoking needs the token itself."""
    return [cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES if cls().authenticate_header(None)]


class ObtainTokenApi(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema_serializer(component_name="TokenInput")
    class InputSerializer(serializers.Serializer):
        username = documented(serializers.CharField, non_blank_text(150))(max_length=150)
        password = documented(serializers.CharField, {"type": "string", "minLength": 1, "maxLength": 128})(
            max_length=128, trim_whitespace=False
        )

    def get_authenticators(self) -> list:
        if getattr(self.request, "method", None) == "DELETE":  # no request while the schema is generated
            return _token_authenticators()
        return []  # logging in: credentials only (no session, so no CSRF question)

    def get_permissions(self) -> list:
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    def get_throttles(self) -> list:
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "TokenOut", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
            ),
            401: OpenApiResponse(description="Wrong username or password."),
            429: OpenApiResponse(description="Too many attempts: locked out for a while, or throttled."),
        },
        description="A new Bearer token for this username and password. It expires after API_TOKEN_TTL_DAYS.",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The Django request, not DRF's wrapper: the lockout marks it, and its middleware reads the mark.
        user = authenticate(request._request, **data.validated_data)
        if getattr(request._request, "axes_locked_out", False):
            raise LoginLockedOut()
        if user is None:
            raise InvalidCredentials()
        token, raw = token_create(user=user)
        return Response({"token": raw, "expiry": token.expiry})

    @extend_schema(
        request=None,
        responses={204: None, 401: OpenApiResponse(description="No valid Bearer token.")},
        description="Revoke the Bearer token this request is authenticated with.",
    )
    def delete(self, request):
        if not isinstance(request.auth, AuthToken):
            raise NotATokenRequest()
        token_revoke_instance(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    timezone = serializers.CharField(
        help_text="IANA time zone: your today, tomorrow and due times are in it."
    )
    calendar_url = serializers.URLField(
        help_text="Your secret calendar feed (iCalendar). Anyone with it can read it."
    )


def _me(request) -> Response:
    user = request.user
    path = reverse("calendar-feed", kwargs={"token": user_calendar_token(user=user)})
    data = {
        "username": user.get_username(),
        "timezone": user.timezone,
        "calendar_url": request.build_absolute_uri(path),
    }
    return Response(MeOutputSerializer(data).data)


class MeApi(APIView):
    @extend_schema_serializer(component_name="MeInput")  # not "Input": the token's input has that name
    class InputSerializer(serializers.Serializer):
        # Validity of the zone is the service's rule (code invalid_timezone, field timezone).
        timezone = documented(serializers.CharField, {"type": "string", "enum": sorted(timezone_names())})(
            required=False, max_length=100, allow_blank=True
        )

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request):
        return _me(request)

    @extend_schema(request=InputSerializer, responses=MeOutputSerializer)
    def patch(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "timezone" in data.validated_data:
            user_update_timezone(user=request.user, timezone=data.validated_data["timezone"])
        return _me(request)


class MeCalendarRegenerateApi(APIView):
    @extend_schema(
        request=None, responses=MeOutputSerializer, description="A new calendar URL; the old one 404s."
    )
    def post(self, request):
        user_regenerate_calendar_token(user=request.user)
        return _me(request)
