"""The settings page and its forms."""

from django.urls import path

from users import views

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("settings/timezone/", views.timezone_update, name="settings-timezone"),
    path("settings/calendar/regenerate/", views.calendar_regenerate, name="settings-calendar-regenerate"),
]
