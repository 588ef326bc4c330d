"""Reading ratings CSVs: wide and long layouts, encodings, line ends, and errors that name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import AnnotaryError
from app.core.stats.csv_ratings import RatingsFileError, parse_ratings_csv, read_ratings_csv
from app.core.stats.krippendorff import krippendorff_alpha

DATA = Path(__file__).parent / "data" / "stats"


def test_wide_textbook_file():
    table = read_ratings_csv(DATA / "krippendorff_2011_wide.csv", "interval")
    assert list(table) == [str(i) for i in range(1, 13)]
    assert table["1"] == {"A": 1, "B": 1, "C": None, "D": 1}
    assert table["12"] == {"A": None, "B": 3, "C": None, "D": None}
    assert all(isinstance(v, int) for row in table.values() for v in row.values() if v is not None)


def test_long_layout_gives_the_same_table_and_alpha():
    wide = read_ratings_csv(DATA / "krippendorff_2011_wide.csv", "ordinal")
    lines = ["unit,coder,value"] + [
        f"{unit},{coder},{'' if value is None else value}" for unit, row in wide.items() for coder, value in row.items()
    ]
    long = parse_ratings_csv("\n".join(lines), "ordinal")
    assert long == wide
    assert round(krippendorff_alpha(long, "ordinal").alpha, 3) == 0.815


def test_bom_crlf_blank_lines_and_spaces(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xef\xbb\xbfunit , A , B \r\n\r\nu1, 1 ,2\r\n   \r\nu2,,3.5\r\n,,\r\n")
    assert read_ratings_csv(path, "interval") == {"u1": {"A": 1, "B": 2}, "u2": {"A": None, "B": 3.5}}
    cr_only = parse_ratings_csv("unit,coder,value\rx,A,1\rx,B,2\r", "nominal")
    assert cr_only == {"x": {"A": 1, "B": 2}}


def test_utf16_and_arabic_labels(tmp_path):
    path = tmp_path / "ar.csv"
    path.write_text("unit,coder,value\nخبر1,سارة,إيجابي\nخبر1,علي,سلبي\n", encoding="utf-16")
    assert read_ratings_csv(path) == {"خبر1": {"سارة": "إيجابي", "علي": "سلبي"}}


def test_numbers_and_labels():
    table = parse_ratings_csv("unit,A,B\nu1,1,1.0\nu2,-2,1e3\nu3,NA,.\nu4,+3,yes\n", "nominal")
    assert table["u1"] == {"A": 1, "B": 1.0} and isinstance(table["u1"]["A"], int)
    assert table["u2"] == {"A": -2, "B": 1000.0}
    assert table["u3"] == {"A": "NA", "B": "."}  # only an empty cell is missing
    assert table["u4"] == {"A": 3, "B": "yes"}


def test_labels_need_nominal_or_an_ordinal_order():
    text = "unit,coder,value\nu1,A,low\nu1,B,high\n"
    assert parse_ratings_csv(text, "nominal") == {"u1": {"A": "low", "B": "high"}}
    assert parse_ratings_csv(text, "ordinal", order=["low", "mid", "high"]) == {"u1": {"A": "low", "B": "high"}}
    for level in ("interval", "ratio"):
        with pytest.raises(RatingsFileError, match=r"line 2: value 'low' is not a number"):
            parse_ratings_csv(text, level)
    with pytest.raises(RatingsFileError, match=r"line 2: .*give the order of the labels"):
        parse_ratings_csv(text, "ordinal")
    with pytest.raises(RatingsFileError, match=r"line 3: value 'high' is not in the given order \(low, mid\)"):
        parse_ratings_csv(text, "ordinal", order=["low", "mid"])
    with pytest.raises(RatingsFileError, match="applies to ordinal"):
        parse_ratings_csv(text, "interval", order=["low", "high"])


def test_numeric_order_matches_by_value():
    table = parse_ratings_csv("unit,A,B\nu1,1,2.0\n", "ordinal", order=[1, 2, 3])
    assert table == {"u1": {"A": 1, "B": 2}}


def test_ratio_refuses_negative_values():
    with pytest.raises(RatingsFileError, match=r"line 3: ratio value '-4' is negative"):
        parse_ratings_csv("unit,A,B\nu1,1,2\nu2,-4,2\n", "ratio")


def test_long_duplicate_is_an_error_naming_both_lines():
    text = "unit,coder,value\nu1,A,1\n\nu1,B,2\nu1,A,1\n"
    with pytest.raises(RatingsFileError, match=r"line 5: coder 'A' rates unit 'u1' twice \(also on line 2\)") as info:
        parse_ratings_csv(text, source="ratings.csv")
    assert info.value.line == 5 and str(info.value).startswith("ratings.csv, line 5:")
    assert isinstance(info.value, AnnotaryError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("unit,A,B\nu1,1,2\nu1,2,2\n", r"line 3: unit 'u1' is given twice \(also on line 2\)"),
        ("unit,A,B\nu1,1\n", r"line 2: 2 cells, but the header has 3 columns"),
        ("unit,A,B\nu1,1,2,3\n", r"line 2: 4 cells, but the header has 3 columns"),
        ("unit,A,A\nu1,1,2\n", r"line 1: coder 'A' has two columns"),
        ("unit,A,,B\nu1,1,2,3\n", r"line 1: a coder column has an empty name"),
        ("unit\nu1\n", r"line 1: the header names no coder"),
        ("\n\ndoc,A,B\nu1,1,2\n", r"line 3: the header must start with 'unit'"),
        ("unit;A;B\nu1;1;2\n", r"line 1: .*separated by semicolons"),
        ("unit,A,B\n,1,2\n", r"line 2: the unit cell is empty"),
        ("unit,coder,value\nu1,,2\n", r"line 2: the coder cell is empty"),
        ('unit,A,B\nu1,"1,2\n', r"line 2: not valid CSV"),
        ("", r"no header line"),
    ],
)
def test_errors_name_the_line(text, message):
    with pytest.raises(RatingsFileError, match=message):
        parse_ratings_csv(text)


def test_trailing_separators_are_tolerated():
    assert parse_ratings_csv("unit,A,B,\nu1,1,2,\nu2,3,4\n") == {"u1": {"A": 1, "B": 2}, "u2": {"A": 3, "B": 4}}


def test_unit_row_without_ratings_is_kept():
    table = parse_ratings_csv("unit,A,B\nu1,,\nu2,1,1\n")
    assert table["u1"] == {"A": None, "B": None}


def test_file_problems(tmp_path):
    with pytest.raises(RatingsFileError, match="cannot read"):
        read_ratings_csv(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(RatingsFileError, match="empty"):
        read_ratings_csv(empty)
    with pytest.raises(RatingsFileError, match="unknown level"):
        parse_ratings_csv("unit,A\nu1,1\n", "cardinal")


def test_header_only_is_an_empty_table():
    assert parse_ratings_csv("unit,coder,value\n") == {}
    assert parse_ratings_csv("unit,A,B\r\n") == {}
