"""Tables of entries: what the correction form shows (table_as_text) reads back to the same rows (parse_table),
whatever the cells hold — commas, tabs, quotes, line breaks, formula-like text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xiaoneng.disclosure.forms_catalogue import parse_table, table_as_text
from xiaoneng.disclosure.services.entries import clean_table

cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
rows = st.lists(st.lists(cell, min_size=1, max_size=5), min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(rows)
def test_round_trip_through_the_correction_form(table):
    clean = clean_table(table)
    assert clean_table(parse_table(table_as_text(clean))) == clean


def test_pasted_spreadsheet_and_csv():
    assert parse_table("项目\t金额\n收入\t1,200") == [["项目", "金额"], ["收入", "1,200"]]
    assert parse_table('项目,金额\n收入,"1,200"') == [["项目", "金额"], ["收入", "1,200"]]
    assert parse_table("  \n ") == []
    assert table_as_text([["=1+1", "a,b"]]) == '"=1+1"\t"a,b"\n'
