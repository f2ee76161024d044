"""How many prompt tokens the tool schemas cost: they travel with every model request, so they have a budget.

    .venv/bin/python bench/tool_schema_tokens.py

Counted with the project's own estimator, chat.turn.prompting.estimate_tokens (about 4 characters of JSON a
token, plus a little framing per schema): gpt-oss's real tokenizer (o200k_harmony via tiktoken) would need a
download this project does not make. It is an approximation, not a count (JSON's punctuation and short keys may
tokenize denser than prose), so the budget keeps headroom. The same budget is asserted in
chat/turn/tests/test_task_tools.py with the same estimator.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BUDGET = 1200


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from chat.turn.prompting import estimate_tokens
    from chat.turn.tools import tool_schemas

    schemas = tool_schemas()
    total = 0
    for schema in schemas:
        tokens = estimate_tokens(schema)
        total += tokens
        print(f"  {schema['function']['name']:<15} {tokens:>5} tokens")
    chars = len(json.dumps(schemas, ensure_ascii=False))
    print(f"tool schemas: {total} tokens (estimate; {chars} characters of JSON), budget {BUDGET}")
    return 0 if total < BUDGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
