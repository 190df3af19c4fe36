"""Reading one cell, and decoding a file: pure functions, no database."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest

import vsla
from vsla.io.cells import (
    CellError,
    from_workbook,
    parse_amount,
    parse_date,
    parse_text,
    parse_whole,
)
from vsla.io.readers import decode, unmangle
from vsla.io.templates import ATTENDANCE, INSTITUTION, SEX


@pytest.mark.parametrize(
    "text",
    ["12000", "12.000", "12,000", "12 000", "12\u00a0000", "12.000 đ", "12,000 VND", "12.000₫"],
)
def test_an_amount_written_any_usual_way_is_whole_dong(text: str) -> None:
    assert parse_amount(text) == 12_000


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.234.567", 1_234_567),
        ("1,234,567", 1_234_567),
        ("12.000,00", 12_000),
        ("12,000.00", 12_000),
        ("12.00", 12),
        ("0", 0),
        (12_000, 12_000),
        (Decimal("12000"), 12_000),
    ],
)
def test_amounts(text: str | int | Decimal, amount: int) -> None:
    assert parse_amount(text) == amount


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("-2.000", "'-2.000' is negative; amounts are written without a sign"),
        (-5, "-5 is negative; amounts are written without a sign"),
        ("12.5", "'12.5' is not a whole number of đồng"),
        ("1.234,5", "'1.234,5' is not a whole number of đồng"),
        (Decimal("12000.5"), "12000.5 is not a whole number of đồng"),
        ("12k", "'12k' is not an amount (write it like 12000, 12.000 or 12,000)"),
        ("1.2.3", "'1.2.3' is not an amount (write it like 12000, 12.000 or 12,000)"),
        (dt.date(2024, 1, 8), "08/01/2024 is not an amount"),
    ],
)
def test_bad_amounts(cell: str | int | Decimal | dt.date, message: str) -> None:
    with pytest.raises(CellError) as exc:
        parse_amount(cell)
    assert str(exc.value) == message


def test_whole_numbers() -> None:
    assert parse_whole("3") == 3
    assert parse_whole(Decimal("4")) == 4
    cases: list[tuple[str | Decimal, str]] = [
        ("2.5", "'2.5' is not a whole number"),
        (Decimal("2.5"), "2.5 is not a whole number"),
        ("-1", "'-1' is negative"),
        ("ba", "'ba' is not a whole number"),
    ]
    for cell, message in cases:
        with pytest.raises(CellError) as exc:
            parse_whole(cell)
        assert str(exc.value) == message


@pytest.mark.parametrize(
    "cell",
    [
        "08/01/2024",
        "8/1/2024",
        "08-01-2024",
        "08.01.2024",
        "2024-01-08",
        "2024-01-08 00:00:00",
        dt.date(2024, 1, 8),
        dt.datetime(2024, 1, 8),
    ],
)
def test_dates_in_the_usual_local_formats(cell: str | dt.date) -> None:
    assert parse_date(cell) == dt.date(2024, 1, 8)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("31/02/2024", "'31/02/2024' is not a valid date (dates are day/month/year)"),
        ("01/31/2024", "'01/31/2024' is not a valid date (dates are day/month/year)"),
        ("8/1/24", "'8/1/24': write the year with four digits (dd/mm/yyyy)"),
        ("hôm qua", "'hôm qua' is not a date (write it as dd/mm/yyyy)"),
        (
            45_300,
            "45300 is a number, not a date: type the date as dd/mm/yyyy or format the cell "
            "as a date",
        ),
        (
            dt.datetime(2024, 1, 8, 9, 30),
            "2024-01-08 09:30:00 has a time of day; give the date only",
        ),
    ],
)
def test_bad_dates(cell: str | int | dt.datetime, message: str) -> None:
    with pytest.raises(CellError) as exc:
        parse_date(cell)
    assert str(exc.value) == message


def test_choices_accept_values_names_and_vietnamese_labels_without_care_for_case() -> None:
    assert SEX("Nữ") is vsla.Sex.FEMALE
    assert SEX("nu") is vsla.Sex.FEMALE
    assert SEX("NAM") is vsla.Sex.MALE
    assert SEX("f") is vsla.Sex.FEMALE
    assert ATTENDANCE("Có mặt") is vsla.Attendance.PRESENT
    assert ATTENDANCE("uỷ quyền") is vsla.Attendance.REPRESENTED  # old tone-mark placement
    assert ATTENDANCE("vắng") is vsla.Attendance.ABSENT
    assert INSTITUTION("NHCSXH") is vsla.Institution.VBSP
    assert INSTITUTION("VBSP") is vsla.Institution.VBSP
    assert INSTITUTION("Quỹ tín dụng nhân dân") is vsla.Institution.PEOPLES_CREDIT_FUND
    with pytest.raises(CellError) as exc:
        SEX("x")
    assert str(exc.value) == "'x' is not one of: F, M (also: Nữ, female, Nam, male)"


def test_text_is_nfc_and_trimmed() -> None:
    decomposed = "Đ\u0103\u0301k Glei "  # 'ắ' typed as a + breve + acute
    assert parse_text(decomposed) == "Đắk Glei"
    assert parse_text(dt.datetime(2024, 1, 8)) == "2024-01-08"


def test_a_workbook_float_is_never_kept() -> None:
    # openpyxl gives floats for number cells with a decimal point; they go at once
    assert from_workbook(float("2000")) == 2000
    assert type(from_workbook(float("2000"))) is int
    assert from_workbook(float("12000.5")) == Decimal("12000.5")


def test_decode_utf8_with_and_without_bom_and_utf16() -> None:
    text = "họ tên,Đắk Glei\n"
    assert decode(text.encode(), "f") == text
    assert decode(b"\xef\xbb\xbf" + text.encode(), "f") == text
    assert decode(text.encode("utf-16"), "f") == text  # with BOM
    assert decode(text.encode("utf-16-le"), "f") == text  # without BOM


def windows_1258(text: str) -> bytes:
    """Text as a Vietnamese Windows computer saves it: tone marks as combining bytes."""
    return unicodedata.normalize("NFD", text).encode("cp1258")


def mangle(text: str) -> str:
    """UTF-8 read as Windows-1252 (the bytes it has no letter for kept as control codes)."""
    return "".join(
        bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode("utf-8")
    )


def test_a_windows_code_page_file_is_one_error() -> None:
    with pytest.raises(vsla.ImportErrors) as exc:
        decode(windows_1258("full_name\nĐinh Thị Hà\n"), "members.csv")
    [error] = exc.value.errors
    assert error.row == 0
    assert error.column == ""
    assert error.message.startswith("the file is not UTF-8 text (byte 0x")
    assert "on line 2" in error.message
    assert "Windows-1258" in error.message


def test_mangled_text_is_recognised() -> None:
    good = "Đắk Glei, Ngọc Hồi, Xơ Đăng, Tu Mơ Rông"
    assert mangle("Đắk") == "Ä\x90áº¯k"
    assert unmangle(mangle(good)) == good
    assert unmangle(good) is None
    assert unmangle("café") is None
    assert unmangle("plain ascii") is None
