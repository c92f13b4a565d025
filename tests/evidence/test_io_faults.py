"""Injected faults in publishers' CSVs end in a clear error or in the row accounting."""

from __future__ import annotations

import gzip

import pytest

from wmresearch.evidence.io import Cleaned, DataFileError, read_csv_text, save_table


def test_encoding_error_names_the_column_by_its_header(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"code,name,value\nE1,Alpha,1\nE2,Caf\xe9,2\n")
    with pytest.raises(DataFileError) as err:
        read_csv_text(path)
    assert err.value.row == 3 and err.value.column == "name"
    assert "x.csv, row 3, column 'name'" in str(err.value)


def test_blank_and_comma_only_lines_are_counted_as_rejects(tmp_path):
    path = tmp_path / "x.csv.gz"
    path.write_bytes(gzip.compress(b"a,b,c\n1,2,3\n\n4,5,6\n,,\n,\n7,8,9\n"))
    frame = read_csv_text(path)
    assert frame["source_row"].tolist() == [2, 4, 7]
    cleaned = Cleaned("x", frame[["a"]], len(frame), source=str(path))
    # 6 physical data lines in = 3 kept + 3 blank lines rejected with a reason
    assert (cleaned.rows_in, cleaned.rows_kept, cleaned.rows_rejected) == (6, 3, 3)
    assert cleaned.rejects["source_row"].tolist() == [3, 5, 6]
    assert set(cleaned.rejects["reason"]) == {"blank line: no values"}


def test_row_with_missing_fields_names_line_and_column(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n4,5\n6,7,8\n")
    with pytest.raises(DataFileError, match=r"row 3, column 'b'.*2 fields, fewer"):
        read_csv_text(path)


def test_file_cut_mid_line_says_truncated(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n4,5")
    with pytest.raises(DataFileError, match="truncated"):
        read_csv_text(path)


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    import pandas as pd

    processed, rejects = tmp_path / "p", tmp_path / "r"
    good = Cleaned("t", pd.DataFrame({"a": [1, 2]}), 2)
    save_table(good, processed, rejects)
    before = (processed / "t.parquet").read_bytes()

    def crash(self, path, **kwargs):
        with open(path, "wb") as fh:
            fh.write(b"PAR1 half a file")
        raise KeyboardInterrupt("killed during the save")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", crash)
    with pytest.raises(KeyboardInterrupt):
        save_table(Cleaned("t", pd.DataFrame({"a": [3]}), 1), processed, rejects)
    assert (processed / "t.parquet").read_bytes() == before
    assert [p.name for p in processed.iterdir()] == ["t.parquet"]
