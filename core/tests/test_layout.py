"""The house rules, read off the tree: imports run one way (interfaces → turn → services/selectors → models →
core), `groq` has one home, and only chat.services writes conversations and messages."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("core", "users", "tasks", "chat")


def _modules():
    for top in (*APP_PACKAGES, "groq_emulator", "config"):
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "tests" in rel.parts or "migrations" in rel.parts:
                continue
            yield ".".join(rel.with_suffix("").parts), path


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


MODULES = dict(_modules())


def _offenders(select, forbidden) -> list[str]:
    return [
        f"{module} imports {name}"
        for module, path in MODULES.items()
        if select(module)
        for name in _imports(path)
        if forbidden(name)
    ]


def test_apps_never_import_the_wiring():
    assert _offenders(lambda m: m.split(".")[0] in APP_PACKAGES, lambda n: n.split(".")[0] == "config") == []


def test_core_imports_no_app():
    apps = (*APP_PACKAGES[1:], "groq_emulator")
    assert _offenders(lambda m: m.startswith("core."), lambda n: n.split(".")[0] in apps) == []


def test_tasks_never_import_chat():
    assert _offenders(lambda m: m.startswith("tasks."), lambda n: n.split(".")[0] == "chat") == []


def test_the_turn_has_no_html_http_or_drf():
    web = ("chat.web", "chat.api", "rest_framework", "django.template", "django.shortcuts", "django.http")
    assert _offenders(lambda m: m.startswith("chat.turn."), lambda n: n.startswith(web)) == []


@pytest.mark.parametrize("lower", ["chat.models", "chat.services", "chat.selectors", "chat.admin"])
def test_models_services_and_selectors_never_import_the_turn_or_interfaces(lower):
    upper = ("chat.turn", "chat.web", "chat.api", "chat.mcp")
    assert _offenders(lambda m: m == lower, lambda n: n.startswith(upper)) == []


def test_groq_is_imported_by_one_module():
    assert [m for m, p in MODULES.items() if any(n.split(".")[0] == "groq" for n in _imports(p))] == [
        "chat.turn.llm"
    ]


def test_only_chat_services_writes_conversations_and_messages():
    writes = re.compile(r"\b(Message|Conversation)\.objects\.(create|bulk_create|update|get_or_create)\b")
    assert [m for m, p in MODULES.items() if writes.search(p.read_text()) and m != "chat.services"] == []


def test_no_application_module_is_a_house_of_its_own():
    assert {m: n for m, p in MODULES.items() if (n := len(p.read_text().splitlines())) > 350} == {}
