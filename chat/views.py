"""Pages. The chat page replaces this simple task list in the browser-chat work."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tasks import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    tasks = selectors.task_list(owner=request.user)
    return render(
        request, "chat/home.html", {"tasks": tasks, "counts": selectors.task_counts(owner=request.user)}
    )
