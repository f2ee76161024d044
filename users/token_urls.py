"""/settings/tokens/: the user's API tokens (users.token_views)."""

from django.urls import path

from users import token_views

urlpatterns = [
    path("", token_views.tokens_page, name="tokens"),
    path("create/", token_views.token_create_view, name="token-create"),
    path("<str:token_key>/revoke/", token_views.token_revoke_view, name="token-revoke"),
]
