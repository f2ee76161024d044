"""The login lockout's authentication backend (first in AUTHENTICATION_BACKENDS)."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for logins that come with a request: the login page, the admin, the token endpoint.

    axes raises when `authenticate()` is called without a request; such a call comes from a shell, a script or a
    management command on the server, not from a client that could be guessing passwords, so it is let through
    to the password check."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
