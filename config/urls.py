from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core import api_errors

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", include("users.urls")),
    path("settings/tokens/", include("users.token_urls")),
    path("", include("tasks.urls")),
    path("", include("chat.web.urls")),
]


def handler404(request, exception=None):
    """JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return api_errors.json_404(request, exception)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return api_errors.json_500(request)
    from django.views.defaults import server_error

    return server_error(request)
