"""The task panel's add and edit forms: what the browser posts → keyword arguments for tasks.services.

The form only reads the browser's formats (an `<input type="date">` sends YYYY-MM-DD, `type="time"` HH:MM); the
rules (a title is required and at most 200 characters, a priority is one of four, a repeat phrase must parse)
stay in the services, so the panel shows the same coded errors as the assistant and the API.
"""

from __future__ import annotations

import datetime as dt

from django import forms

from tasks.dates import describe_repeat
from tasks.models import Task


class TaskFieldsForm(forms.Form):
    title = forms.CharField(required=False, strip=False)
    description = forms.CharField(required=False, strip=False)
    due_date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    due_time = forms.TimeField(required=False, input_formats=["%H:%M", "%H:%M:%S"])
    priority = forms.CharField(required=False)
    repeat = forms.CharField(required=False)

    def first_error(self) -> str:
        for name, errors in self.errors.items():
            label = self.fields[name].label or name.replace("_", " ").capitalize()
            return f"{label}: {errors[0]}"
        return ""

    def due(self) -> dt.date | dt.datetime | str | None:
        """A date, a date and time, or — a time alone — the next such time ("at 17:00", read by the services)."""
        day, time = self.cleaned_data.get("due_date"), self.cleaned_data.get("due_time")
        if day and time:
            return dt.datetime.combine(day, time.replace(second=0, microsecond=0))
        if day:
            return day
        if time:
            return f"at {time:%H:%M}"
        return None

    def create_kwargs(self) -> dict:
        """For `task_create` (after is_valid())."""
        return {
            "title": self.cleaned_data["title"],
            "due": self.due(),
            "priority": self.cleaned_data["priority"] or Task.Priority.NONE,
        }

    def update_kwargs(self, task: Task) -> dict:
        """For `task_update` (after is_valid()). The repeat is sent only when its phrase changed, so an
        unchanged rule is never re-read; every other field is sent as the form shows it."""
        data = self.cleaned_data
        kwargs = {
            "title": data["title"],
            "description": data["description"],
            "due": self.due(),
            "priority": data["priority"] or task.priority,
        }
        repeat = data["repeat"].strip()
        if repeat != repeat_phrase(task):
            kwargs["repeat"] = repeat or None
        return kwargs


def repeat_phrase(task: Task) -> str:
    return describe_repeat(task.recurrence) if task.recurrence else ""


def edit_initial(task: Task) -> dict:
    """The edit form's values for a task as it is."""
    return {
        "title": task.title,
        "description": task.description,
        "due_date": task.due_date.isoformat() if task.due_date else "",
        "due_time": f"{task.due_time:%H:%M}" if task.due_time else "",
        "priority": task.priority,
        "repeat": repeat_phrase(task),
    }
