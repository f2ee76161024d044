"""Creates the local demo account (local settings only) and prints how to log in."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tasks import selectors, services

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - a local demo account, refused outside local settings


class Command(BaseCommand):
    help = "Ensure the local demo account exists (only under local settings)."

    def handle(self, *args, **options) -> None:
        if not settings.DEMO_USER_ENABLED:
            raise CommandError("The demo account is only for local settings (config.settings.local).")
        user, created = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save()
        if created and not selectors.task_list(owner=user).exists():
            services.task_create(owner=user, title="Try the assistant", description="Ask it to add a task.")
        self.stdout.write(
            self.style.SUCCESS(f"Demo account ready: username '{DEMO_USERNAME}', password '{DEMO_PASSWORD}'")
        )
