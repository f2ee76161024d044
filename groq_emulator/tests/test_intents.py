"""The offline demo assistant against the phrase table: how many plain requests it understands.

Each phrase is played through `brain.respond` like the engine would (native tool calls, fake tool results fed
back) until the brain answers in words; the calls it made are compared with the table.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from groq_emulator import answers, brain

from .phrases import HELD_OUT, SMALL_TALK, TUNED
from .phrases_held_out_2 import HELD_OUT_2
from .phrases_held_out_3 import HELD_OUT_3

LISTED = [
    {"id": 7, "title": "Buy milk", "completed": False, "due_date": None, "priority": "none"},
    {"id": 9, "title": "Walk the dog", "completed": False, "due_date": None, "priority": "none"},
]


def _call_msg(call_id: str, name: str, args: dict) -> dict:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
        ],
    }


HISTORIES: dict[str, list[dict[str, Any]]] = {
    "deleted_5": [
        {"role": "user", "content": "delete task 5"},
        _call_msg("call_d5", "delete_task", {"task_id": 5}),
        {
            "role": "tool",
            "tool_call_id": "call_d5",
            "content": json.dumps({"task_id": 5, "status": "deleted", "title": "Old"}),
        },
        {"role": "assistant", "content": "Deleted **Old** (#5)."},
    ],
    "completed_8": [
        {"role": "user", "content": "complete task 8"},
        _call_msg("call_c8", "complete_task", {"task_id": 8}),
        {
            "role": "tool",
            "tool_call_id": "call_c8",
            "content": json.dumps({"task_id": 8, "status": "completed", "title": "Report"}),
        },
        {"role": "assistant", "content": "Marked **Report** (#8) as done ✓."},
    ],
}


def fake_result(name: str, args: dict, next_id: list[int]) -> dict:
    if name == "add_task":
        next_id[0] += 1
        return {"task_id": next_id[0], "status": "created", "title": args.get("title")}
    if name == "list_tasks":
        return {"status": args.get("status", "all"), "total": len(LISTED), "tasks": LISTED}
    status = {"complete": "completed", "delete": "deleted", "update": "updated"}.get(name.split("_")[0])
    return {"task_id": args.get("task_id"), "status": status or name.split("_")[0] + "d", "title": "Task"}


def play(text: str, history: str | None = None) -> tuple[list[tuple[str, dict]], str]:
    """Run one user request to its final answer: (the calls made, the final text)."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": "You are a todo assistant."}]
    messages += HISTORIES.get(history or "", [])
    messages.append({"role": "user", "content": text})
    made: list[tuple[str, dict]] = []
    next_id = [100]
    for round_no in range(8):
        reply = brain.respond(messages, native=True)
        if not reply.tool_calls:
            return made, reply.content or ""
        wire = []
        for i, call in enumerate(reply.tool_calls):
            made.append((call.name, call.arguments))
            wire.append(
                {
                    "id": f"call_{round_no}_{i}",
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments_json},
                }
            )
        messages.append({"role": "assistant", "content": None, "tool_calls": wire})
        for w, (name, args) in zip(wire, made[-len(wire) :], strict=True):
            result = fake_result(name, args, next_id)
            messages.append({"role": "tool", "tool_call_id": w["id"], "content": json.dumps(result)})
    raise AssertionError(f"{text!r}: no final answer after 8 rounds")


def understood(text: str, expected: object, history: str | None) -> bool:
    made, final = play(text, history)
    if expected == SMALL_TALK:
        return not made and final != answers.help_text() and len(final) < 300
    return made == expected


def share(table: list) -> tuple[float, list[str]]:
    misses = [text for text, expected, history in table if not understood(text, expected, history)]
    return 1 - len(misses) / len(table), misses


def test_the_table_is_big_enough():
    assert len(TUNED) + len(HELD_OUT) >= 60
    assert len({t for t, _, _ in TUNED + HELD_OUT}) == len(TUNED) + len(HELD_OUT)


def test_the_new_held_out_tables_are_new():
    assert len(HELD_OUT_2) >= 40
    assert len(HELD_OUT_3) >= 30
    seen = [t for t, _, _ in TUNED + HELD_OUT + HELD_OUT_2 + HELD_OUT_3]
    assert len(set(seen)) == len(seen)


def test_share_of_plain_requests_understood(capsys):
    tables = {
        "tuned": TUNED,
        "held out": HELD_OUT,
        "held out 2": HELD_OUT_2,
        "held out 3 (blind)": HELD_OUT_3,
    }
    shares = {name: share(table) for name, table in tables.items()}
    total = sum(len(t) for t in tables.values())
    overall = sum(shares[name][0] * len(t) for name, t in tables.items()) / total
    held_total = len(HELD_OUT) + len(HELD_OUT_2)
    held = (shares["held out"][0] * len(HELD_OUT) + shares["held out 2"][0] * len(HELD_OUT_2)) / held_total
    misses = [m for _, ms in shares.values() for m in ms]
    with capsys.disabled():
        parts = ", ".join(f"{name} {s:.0%} of {len(tables[name])}" for name, (s, _) in shares.items())
        print(
            f"\nphrase table: {overall:.0%} of {total} understood ({parts}; held out 1+2: {held:.0%} of {held_total})"
        )
        for name in ("held out", "held out 2", "held out 3 (blind)"):
            print(f"{name} misses: {shares[name][1]}")
    assert shares["tuned"][0] >= 0.9, shares["tuned"][1]
    assert overall >= 0.9, misses
    assert shares["held out 3 (blind)"][0] >= 0.8, shares["held out 3 (blind)"][1]  # the real floor: 25 of 30


@pytest.mark.parametrize(("text", "expected", "history"), TUNED, ids=[t for t, _, _ in TUNED])
def test_tuned_phrase(text, expected, history):
    if expected == SMALL_TALK:
        assert understood(text, expected, history), play(text, history)
    else:
        assert play(text, history)[0] == expected
