from django.urls import path

from users import apis

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="api-me"),
    path(
        "me/calendar/regenerate/", apis.MeCalendarRegenerateApi.as_view(), name="api-me-calendar-regenerate"
    ),
]
