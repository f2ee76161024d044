"""validate_message_text: the size rule every chat interface shares, counted after trimming."""

import pytest

from chat import errors
from chat.turn.limits import validate_message_text


# --- validate_message_text: counted after trimming; over the limit is always message_too_long -----------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  hi  ", "hi"),
        (" " * 50 + "x" * 4096 + "\n" * 50, "x" * 4096),  # 4,196 sent, 4,096 kept: fits
    ],
)
def test_the_limit_counts_the_trimmed_message(text, expected):
    assert validate_message_text(text) == expected


@pytest.mark.parametrize("length", [4097, 100_000, 100_001, 1_000_000])
def test_anything_over_the_limit_is_message_too_long(length):
    with pytest.raises(errors.MessageTooLong):
        validate_message_text("x" * length)


@pytest.mark.parametrize("text", ["", "   ", None, 42])
def test_empty_or_not_text_is_message_required(text):
    with pytest.raises(errors.MessageRequired):
        validate_message_text(text)


@pytest.mark.parametrize("text", ["milk\x00", "milk \ud800 eggs"])
def test_nul_and_lone_surrogates_are_refused(text):
    with pytest.raises(errors.MessageUnreadable):
        validate_message_text(text)
