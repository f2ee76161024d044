import pytest


@pytest.fixture
def tokyo(user):
    """The user in Asia/Tokyo: at the modules' INSTANT (Thursday 20:00 UTC) it is already Friday there."""
    user.timezone = "Asia/Tokyo"
    user.save()
    return user
