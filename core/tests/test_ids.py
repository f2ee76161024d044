import pytest

from core.ids import parse_id


@pytest.mark.parametrize(
    ("value", "expected"), [(1, 1), (42, 42), ("7", 7), ("0042", 42), ("123456789", 123456789)]
)
def test_ids(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        0,
        -3,
        1.0,
        1.5,
        "1e3",
        "١",
        "",
        " 7",
        "7 ",
        "#7",
        "-7",
        "+7",
        "0",
        "1_000",
        None,
        [1],
        {"id": 1},
        "9" * 40,
    ],
)
def test_not_ids(value):
    assert parse_id(value) is None
