"""Token login for API clients (POST username + password, get the Bearer token) and /api/me/ (zone, calendar URL)."""

from django.contrib.auth import authenticate
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from users.errors import InvalidCredentials
from users.services import user_calendar_token, user_regenerate_calendar_token, user_update_timezone


class ObtainTokenApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={200: inline_serializer("TokenOut", {"token": serializers.CharField()})},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, **data.validated_data)
        if user is None:
            raise InvalidCredentials()
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


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
    class InputSerializer(serializers.Serializer):
        # Validity of the zone is the service's rule (code invalid_timezone, field timezone).
        timezone = serializers.CharField(required=False, max_length=100, allow_blank=True)

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
