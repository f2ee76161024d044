"""The `<TOOL_CALLS>` fallback protocol: parsing the model's blocks and hiding them from a live stream."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chat.turn.tool_block import BlockCall, BlockHider, parse, render

CALL = '{"tools": [{"name": "add_task", "params": {"title": "Buy milk"}}]}'


# --- parse -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "block",
    [
        f"<TOOL_CALLS>{CALL}</TOOL_CALLS>",
        f"<tool_calls>{CALL}</tool_calls>",
        f"<Tool_Calls>\n  {CALL}\n</Tool_Calls>",
        f"< TOOL_CALLS >{CALL}< / TOOL_CALLS >",
        f"```\n<TOOL_CALLS>{CALL}</TOOL_CALLS>\n```",
        f"```json\n<TOOL_CALLS>\n{CALL}\n</TOOL_CALLS>\n```",
        f"<TOOL_CALLS>\n```json\n{CALL}\n```\n</TOOL_CALLS>",
        '<TOOL_CALLS>[{"name": "add_task", "params": {"title": "Buy milk"}}]</TOOL_CALLS>',
        '<TOOL_CALLS>{"name": "add_task", "params": {"title": "Buy milk"}}</TOOL_CALLS>',
        '<TOOL_CALLS>{"name": "add_task", "arguments": {"title": "Buy milk"}}</TOOL_CALLS>',
    ],
    ids=[
        "plain",
        "lower",
        "mixed-case-newlines",
        "inner-spaces",
        "fenced-outside",
        "fenced-json-outside",
        "fenced-inside",
        "bare-list",
        "single-object",
        "arguments-key",
    ],
)
def test_parse_tolerates_the_usual_variations(block):
    out = parse(f"On it.\n{block}\nDone soon.")
    assert out.calls == [BlockCall("add_task", {"title": "Buy milk"})]
    assert out.errors == []
    assert out.text == "On it.\n\nDone soon."


def test_parse_finds_every_block_and_keeps_the_text_between():
    text = (
        'First <TOOL_CALLS>{"tools": [{"name": "list_tasks", "params": {}}]}</TOOL_CALLS> middle '
        '<tool_calls>{"tools": [{"name": "complete_task", "params": {"task_id": 3}},'
        ' {"name": "delete_task", "params": {"task_id": 4}}]}</tool_calls> last'
    )
    out = parse(text)
    assert out.calls == [
        BlockCall("list_tasks", {}),
        BlockCall("complete_task", {"task_id": 3}),
        BlockCall("delete_task", {"task_id": 4}),
    ]
    assert out.text == "First  middle  last"
    assert out.errors == []


def test_parse_without_a_block_returns_the_text():
    out = parse("  Just words, with <b>html</b> and a < sign.  ")
    assert out.calls == [] and out.errors == []
    assert out.text == "Just words, with <b>html</b> and a < sign."


def test_missing_params_means_no_params():
    assert parse('<TOOL_CALLS>{"tools": [{"name": "list_tasks"}]}</TOOL_CALLS>').calls == [
        BlockCall("list_tasks", {})
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<TOOL_CALLS>{not json}</TOOL_CALLS>", "not valid JSON"),
        ("<TOOL_CALLS></TOOL_CALLS>", "not valid JSON"),
        ('<TOOL_CALLS>{"tools": [{"params": {}}]}</TOOL_CALLS>', '"name"'),
        ('<TOOL_CALLS>{"tools": [{"name": 5}]}</TOOL_CALLS>', '"name"'),
        ('<TOOL_CALLS>{"tools": ["add_task"]}</TOOL_CALLS>', '"name"'),
        ('<TOOL_CALLS>{"tools": [{"name": "add_task", "params": "x"}]}</TOOL_CALLS>', '"params"'),
        ("<TOOL_CALLS>42</TOOL_CALLS>", '{"tools"'),
        ('<TOOL_CALLS>{"tools": "add_task"}</TOOL_CALLS>', '{"tools"'),
        ('<TOOL_CALLS>{"tools": [{"name": "add_task", "params": {}}]}', "not closed"),
        ("<TOOL_CALLS>", "not closed"),
    ],
    ids=[
        "bad-json",
        "empty",
        "no-name",
        "name-not-string",
        "entry-not-object",
        "params-not-object",
        "number",
        "tools-not-list",
        "unclosed",
        "opener-only",
    ],
)
def test_malformed_blocks_become_errors_not_exceptions(text, error):
    out = parse(f"Before. {text}")
    assert out.calls == []
    assert len(out.errors) == 1
    assert error in out.errors[0]
    assert out.text == "Before."


def test_a_bad_block_does_not_spoil_a_good_one():
    out = parse(f"<TOOL_CALLS>{{oops</TOOL_CALLS> and <TOOL_CALLS>{CALL}</TOOL_CALLS>")
    assert out.calls == [BlockCall("add_task", {"title": "Buy milk"})]
    assert len(out.errors) == 1
    assert out.text == "and"


# --- render ------------------------------------------------------------------------------------------------
def test_render_round_trips_through_parse():
    calls = [("add_task", {"title": "Tea & <biscuits>", "description": "ünïcode ✓"}), ("list_tasks", {})]
    block = render(calls)
    assert block.startswith("<TOOL_CALLS>") and block.endswith("</TOOL_CALLS>")
    assert parse(block).calls == [BlockCall(n, p) for n, p in calls]


def test_render_survives_a_closing_tag_inside_the_params():
    """A task may be titled anything, even the closing tag; replaying it must not end the block early."""
    calls = [("add_task", {"title": "Fix the </TOOL_CALLS> parser"}), ("list_tasks", {})]
    out = parse(render(calls) + " after")
    assert out.errors == []
    assert out.calls == [BlockCall(n, p) for n, p in calls]
    assert out.text == "after"


# --- Properties --------------------------------------------------------------------------------------------
# Plain text as a model writes it around a block: anything but "<" (which could start a tag) and backticks
# (which could fence the block, and a fence is part of the block by design).
plain_text = st.text(alphabet=st.characters(blacklist_characters="<`", blacklist_categories=["Cs"]))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
    max_leaves=10,
)
tool_calls = st.lists(
    st.tuples(
        st.text(min_size=1, max_size=30), st.dictionaries(st.text(max_size=20), json_values, max_size=4)
    ),
    max_size=4,
)


@given(before=plain_text, calls=tool_calls, after=plain_text)
@settings(max_examples=300, deadline=None)
def test_parse_of_rendered_calls_in_any_text(before, calls, after):
    out = parse(before + render(calls) + after)
    assert out.errors == []
    assert [(c.name, c.params) for c in out.calls] == [(n, p) for n, p in calls]
    assert out.text == (before + after).strip()


def _chunks(text: str, cuts: list[int]) -> list[str]:
    points = sorted({min(c, len(text)) for c in cuts})
    edges = [0, *points, len(text)]
    return [text[a:b] for a, b in zip(edges, edges[1:], strict=False)]


def _hide(chunks: list[str]) -> tuple[list[str], str]:
    hider = BlockHider()
    return [hider.feed(c) for c in chunks], hider.flush()


blocks = st.builds(
    lambda calls, wrap: wrap.replace("BLOCK", render(calls)),
    tool_calls,
    st.sampled_from(
        [
            "BLOCK",
            "```json\nBLOCK\n```",
            "```\nBLOCK```",
            "``` BLOCK ```",
            "<tool_calls>" + json.dumps({"tools": []}) + "</tool_calls>",
            '< Tool_Calls >\n{"tools": []}\n</ TOOL_CALLS >',
        ]
    ),
)


@given(
    prefix=plain_text,
    block=blocks,
    suffix=plain_text,
    cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=30),
)
@settings(max_examples=400, deadline=None)
def test_block_hider_hides_the_block_however_the_stream_is_cut(prefix, block, suffix, cuts):
    shown, tail = _hide(_chunks(prefix + block + suffix, cuts))
    visible = "".join(shown) + tail
    assert visible == prefix + suffix
    if "tool_calls" not in (prefix + suffix).lower():
        assert all("tool_calls" not in piece.lower() for piece in [*shown, tail])


@given(text=plain_text, cuts=st.lists(st.integers(min_value=0, max_value=500), max_size=20))
@settings(max_examples=300, deadline=None)
def test_block_hider_passes_plain_text_straight_through(text, cuts):
    chunks = _chunks(text, cuts)
    shown, tail = _hide(chunks)
    assert shown == chunks  # nothing is held back: every piece is shown as soon as it arrives
    assert tail == ""


# --- BlockHider by example ---------------------------------------------------------------------------------
def test_hider_holds_a_possible_opener_until_it_is_decided():
    hider = BlockHider()
    assert hider.feed("Sure. <TOO") == "Sure. "
    assert hider.feed("L_CALLS>{}</TOOL_CALLS> Done") == " Done"
    assert hider.flush() == ""


def test_hider_releases_ordinary_markup():
    hider = BlockHider()
    assert hider.feed("a <") == "a "
    assert hider.feed("b>bold</b") == "<b>bold</b"
    assert hider.feed(">") == ">"
    assert hider.flush() == ""


def test_hider_releases_a_held_prefix_at_the_end():
    hider = BlockHider()
    assert hider.feed("x <TOOL") == "x "
    assert hider.flush() == "<TOOL"


def test_hider_swallows_an_unclosed_block():
    hider = BlockHider()
    assert hider.feed('Working.<TOOL_CALLS>{"tools": [') == "Working."
    assert hider.feed('{"name": "list_tasks"}]}') == ""
    assert hider.flush() == ""


def test_hider_swallows_a_fence_that_closes_in_a_later_chunk():
    hider = BlockHider()
    shown = [hider.feed(c) for c in ["Ok.\n```json\n<TOOL_CALLS>", CALL, "</TOOL_CALLS>", "\n```", "\nBye"]]
    assert "".join(shown) + hider.flush() == "Ok.\n\nBye"
