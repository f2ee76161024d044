"""Everything under /api/. Unknown paths answer JSON 404 too (even with DEBUG on)."""

from django.urls import include, path, re_path

from core.api_errors import json_404
from users.apis import ObtainTokenApi

urlpatterns = [
    path("auth/token/", ObtainTokenApi.as_view(), name="api-token"),
    path("", include("users.api_urls")),
    path("", include("tasks.api_urls")),
    path("", include("chat.api.urls")),
    re_path(r"^(?!schema/|docs/).*$", json_404),
]
