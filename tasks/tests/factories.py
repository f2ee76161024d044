"""Task factories. Tasks built here skip the services on purpose: they set up state, they don't test it."""

import factory

from tasks.models import Task
from users.tests.factories import UserFactory


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    description = ""
