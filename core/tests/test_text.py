import json

import pytest

from core.text import bounded, clean_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain", "plain"),
        ("", ""),
        ("a\ud800b", "a\ufffdb"),
        ("\udfff", "\ufffd"),
        ("nul\x00here", "nulhere"),
        ("😀 fine", "😀 fine"),
        (json.loads('"\\ud83d\\ude00"'), "😀"),  # a proper pair decodes to one character and stays
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean
    clean_text(raw).encode("utf-8")  # always encodable


def test_bounded():
    assert bounded("short", 10) == "short"
    assert bounded("x" * 20, 10) == "x" * 9 + "…"
    assert len(bounded("x" * 20, 10)) == 10
