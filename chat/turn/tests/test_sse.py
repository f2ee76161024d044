"""The SSE decoder that replaces the SDK's per-chunk objects: framing, [DONE], error events."""

import pytest

from chat.turn.sse import DONE, SSEDecoder, SSEError, sse_batches


def decode(*pieces: bytes) -> list:
    decoder = SSEDecoder()
    out = [event for piece in pieces for event in decoder.feed(piece)]
    return out + decoder.close()


def test_events_split_anywhere_across_reads():
    body = b'data: {"a": 1}\n\ndata: {"b": "\xc3\xa9"}\r\n\r\ndata: [DONE]\n\n'
    whole = decode(body)
    assert whole == [{"a": 1}, {"b": "é"}, DONE]
    for cut in range(1, len(body)):
        assert decode(body[:cut], body[cut:]) == whole


def test_comments_other_fields_and_multi_line_data():
    assert decode(b': ping\nid: 3\nretry: 10\ndata: {"a":\ndata: 2}\n\n') == [{"a": 2}]
    assert decode(b": keep-alive\n\n\n\ndata:[DONE]\n\n") == [DONE]


def test_an_event_without_its_blank_line_still_counts_at_the_end():
    assert decode(b'data: {"a": 1}') == [{"a": 1}]


@pytest.mark.parametrize("event", [b"", b"event: error\n"])
def test_an_error_object_raises_with_its_message(event):
    with pytest.raises(SSEError) as caught:
        decode(b'data: {"a": 1}\n\n' + event + b'data: {"error": {"message": "boom", "code": "x"}}\n\n')
    assert str(caught.value) == "boom" and caught.value.body == {"message": "boom", "code": "x"}


async def test_events_before_an_error_in_the_same_read_are_handed_over_first():
    """One read can hold text and the error that ends the stream (merged HTTP chunks, paced reads): the text is
    the reply's partial content, so it comes out before the error is raised."""
    handled = []

    async def body():
        yield b'data: {"a": 1}\n\ndata: {"b": 2}\n\ndata: {"error": {"message": "boom"}}\n\ndata: {"c": 3}\n\n'

    with pytest.raises(SSEError, match="boom"):
        async for batch in sse_batches(body()):
            handled.append(batch)
    assert handled == [[{"a": 1}, {"b": 2}]]


def test_bad_json_raises():
    with pytest.raises(ValueError):
        decode(b"data: {nope\n\n")


async def test_batches_keep_only_objects_and_done():
    async def body():
        yield b'data: {"a": 1}\n\ndata: [1, 2]\n\n'
        yield b"data: 3\n\ndata: [DONE]\n\n"

    assert [batch async for batch in sse_batches(body())] == [[{"a": 1}], [DONE]]


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": "\\ud800 x"}',  # a lone surrogate: kept for clean_text to replace, as json.loads does
        b'{"a": NaN, "b": -Infinity}',
        b'{"a": "caf\\u00e9 \xf0\x9f\x8d\xb5", "b": [1.5, true, null], "c": {"d": 2}}',
    ],
)
def test_chunks_decode_exactly_as_the_standard_json_module_does(data):
    import json

    [decoded] = decode(b"data: " + data + b"\n\n")
    assert repr(decoded) == repr(json.loads(data))
