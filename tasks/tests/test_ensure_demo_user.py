import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from core.tests.processes import manage, run_python

CHECK_DEMO = """
import django; django.setup()
from django.contrib.auth import authenticate
from tasks.selectors import task_list
user = authenticate(username="demo", password="demo-pass-2026")
print(user is not None, [t.title for t in task_list(owner=user)] if user else None)
"""
SCRAMBLE_PASSWORD = """
import django; django.setup()
from django.contrib.auth import get_user_model
user = get_user_model().objects.get(username="demo")
user.set_password("forgotten")
user.save()
"""


@pytest.mark.timeout(180)
def test_creates_a_working_demo_account_under_local_settings(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    migrate = manage("migrate", "--noinput", settings="config.settings.local", **env)
    assert migrate.returncode == 0, migrate.stderr

    first = manage("ensure_demo_user", settings="config.settings.local", **env)
    scramble = run_python(SCRAMBLE_PASSWORD, settings="config.settings.local", **env)
    # `make run` runs it every time: no second task, and the documented password works again.
    second = manage("ensure_demo_user", settings="config.settings.local", **env)
    check = run_python(CHECK_DEMO, settings="config.settings.local", **env)

    assert first.returncode == 0, first.stderr
    assert "Demo account ready: username 'demo', password 'demo-pass-2026'" in first.stdout
    assert scramble.returncode == 0, scramble.stderr
    assert second.returncode == 0, second.stderr
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == "True ['Try the assistant']"


@pytest.mark.django_db
def test_refuses_outside_local_settings():
    with pytest.raises(CommandError, match="only for local settings"):
        call_command("ensure_demo_user")

    assert not get_user_model().objects.filter(username="demo").exists()
