import pytest


@pytest.fixture
def alice(user):
    """The shared fixture's "alice", under a name that reads well beside bob."""
    return user


@pytest.fixture
def bob(other_user):
    return other_user


@pytest.fixture
def client_in(client, user):
    """A logged-in page client (alice's)."""
    client.force_login(user)
    return client
