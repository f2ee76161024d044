"""Small helpers the server-rendered pages share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect


def login_required(view: Callable) -> Callable:
    """Django's login_required, except that an HTMX request is sent to the login page as a whole page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            return HttpResponseClientRedirect(reverse(settings.LOGIN_URL))
        return redirect_to_login(request.get_full_path())

    return wrapper


def redirect_back(request: HttpRequest, fallback: str = "home") -> HttpResponseRedirect:
    """Back to the page that posted (a form without JavaScript), if the Referer is a page of this site; else
    `fallback`. A `javascript:` or foreign Referer is neither followed nor an error."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(referer)
    return redirect(fallback)
