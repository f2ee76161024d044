"""`manage.py mcp_stdio --user <username>`: the task tools over MCP on stdin/stdout, acting as that user."""

import asyncio
import logging

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from chat.mcp.stdio import serve_stdio

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Serve the assistant's task tools over MCP on stdin/stdout for a locally launched client "
        "(e.g. Claude Desktop). Every call acts as --user. Logs go to stderr; stdout is the protocol's."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, help="Username whose tasks the client manages.")

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: options["user"]})
        except User.DoesNotExist:
            raise CommandError(f"There is no user {options['user']!r}.") from None
        if not user.is_active:
            raise CommandError(f"The user {options['user']!r} is inactive.")
        logger.info("Serving MCP on stdio as %s", user.get_username())
        asyncio.run(serve_stdio(user))
