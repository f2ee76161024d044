import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from users.models import User


def test_the_project_uses_the_custom_user():
    assert get_user_model() is User


@pytest.mark.django_db
def test_a_new_user_gets_the_default_zone(settings):
    settings.USERS_DEFAULT_TIMEZONE = "Europe/Paris"
    user = User.objects.create_user("zoe", password="x-1234-secret")
    assert user.timezone == "Europe/Paris" and not user.timezone_chosen
    assert str(user.zoneinfo) == "Europe/Paris"


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Asia/Kolkata", "Pacific/Honolulu", "UTC"])
def test_iana_zones_are_valid(user, zone):
    user.timezone = zone
    user.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "utc+2", "Europe/paris", "../../etc/passwd"])
def test_unknown_zones_are_refused(user, zone):
    user.timezone = zone
    with pytest.raises(ValidationError) as caught:
        user.full_clean()
    assert "timezone" in caught.value.message_dict
