"""Account events with consequences elsewhere: a new password revokes every API token of the account; a logout
closes the websockets opened with that session."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from core import broadcast
from users.models import User
from users.tokens import tokens_revoke_all


@receiver(pre_save, sender=User, dispatch_uid="users.password_change_seen")
def _note_password_change(sender, instance: User, update_fields=None, raw=False, **kwargs) -> None:
    instance._password_changed = False
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_changed = stored is not None and stored != instance.password


@receiver(post_save, sender=User, dispatch_uid="users.password_change_revokes_tokens")
def _revoke_tokens_on_password_change(sender, instance: User, created: bool, **kwargs) -> None:
    """Whoever changed it (the user, an admin, `changepassword`): tokens issued under the old password stop."""
    if not created and getattr(instance, "_password_changed", False):
        instance._password_changed = False
        tokens_revoke_all(user=instance)  # in the save's transaction: both happen or neither


@receiver(user_logged_out, dispatch_uid="users.logout_closes_sockets")
def _close_sockets_of_session(sender, request, user, **kwargs) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key and user is not None and user.pk is not None:  # an anonymous session opened no socket
        broadcast.session_ended(user.pk, session_key)
