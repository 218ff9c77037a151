"""The bank-transfer file: Zengin fixed-length records in cp932, and the CSV beside it."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.zengin import (
    ENCODING,
    RECORD_LENGTH,
    Remitter,
    Transfer,
    ZenginError,
    to_zengin_kana,
    transfers_csv,
    zengin_file,
)

REMITTER = Remitter(
    requester_code="1234567890",
    name_kana="ﾐｶﾞｷﾔｼﾝｼﾞｹｰﾄ",
    bank_code="0001",
    bank_name_kana="ﾐｽﾞﾎ",
    branch_code="123",
    branch_name_kana="ﾂﾊﾞﾒ",
    account_type="1",
    account_number="7654321",
)


def transfer(amount: int, **fields) -> Transfer:
    return Transfer(
        **{
            "bank_code": "0150",
            "bank_name_kana": "ｽﾙｶﾞ",
            "branch_code": "001",
            "branch_name_kana": "ｻﾝｼﾞｮｳ",
            "account_type": "1",
            "account_number": "1234567",
            "holder_kana": "ｶ)ﾂﾊﾞﾒｹﾝﾏ",
            "amount": amount,
            "customer_code": 42,
            **fields,
        }
    )


def records(content: bytes) -> list[bytes]:
    assert content.endswith(b"\r\n")
    return content.split(b"\r\n")[:-1]


def test_a_bulk_transfer_file_has_header_data_trailer_and_end_records_of_120_bytes():
    # Given two transfers
    content = zengin_file(
        remitter=REMITTER,
        transfer_date=datetime.date(2026, 12, 25),
        transfers=[transfer(104_490), transfer(5, holder_kana="ﾔﾏﾀﾞ ﾀﾛｳ", account_type="2")],
        batch_code=7,
    )
    lines = records(content)
    # Then every record is 120 bytes of cp932, one byte per character
    assert [len(line) for line in lines] == [RECORD_LENGTH] * 5
    text = [line.decode(ENCODING) for line in lines]
    assert all(len(line) == RECORD_LENGTH for line in text)
    header, first, second, trailer, end = text
    # And the header says: bulk transfer (21), JIS, who pays, from which account, when
    assert header[0] == "1" and header[1:3] == "21" and header[3] == "0"
    assert header[4:14] == "1234567890"
    assert header[14:54] == "ﾐｶﾞｷﾔｼﾝｼﾞｹ-ﾄ".ljust(40)  # the long vowel mark as a hyphen
    assert header[54:58] == "1225"
    assert header[58:62] == "0001" and header[62:77] == "ﾐｽﾞﾎ".ljust(15)
    assert header[77:80] == "123" and header[95] == "1" and header[96:103] == "7654321"
    assert header[103:] == " " * 17
    # And each data record carries the payee's account and the amount, zero-padded
    assert first[0] == "2" and first[1:5] == "0150" and first[5:20] == "ｽﾙｶﾞ".ljust(15)
    assert first[20:23] == "001" and first[38:42] == "0000"
    assert first[42] == "1" and first[43:50] == "1234567"
    assert first[50:80] == "ｶ)ﾂﾊﾞﾒｹﾝﾏ".ljust(30)
    assert first[80:90] == "0000104490"
    assert first[90] == "0" and first[91:101] == "0000000042" and first[101:111] == "0000000007"
    assert first[111] == "7"
    assert second[42] == "2" and second[80:90] == "0000000005"
    # And the trailer's count and total match the data records
    assert trailer[0] == "8" and trailer[1:7] == "000002" and trailer[7:19] == "000000104495"
    count = sum(1 for line in text if line[0] == "2")
    total = sum(int(line[80:90]) for line in text if line[0] == "2")
    assert (int(trailer[1:7]), int(trailer[7:19])) == (count, total)
    assert end == "9" + " " * 119


@settings(deadline=None, max_examples=50)
@given(amounts=st.lists(st.integers(1, 9_999_999_999), max_size=20))
def test_for_any_transfers_the_records_are_fixed_length_and_the_trailer_adds_up(amounts):
    content = zengin_file(
        remitter=REMITTER,
        transfer_date=datetime.date(2026, 1, 5),
        transfers=[transfer(amount) for amount in amounts],
        line_break="",
    )
    # Without line breaks the file is a whole number of 120-byte records
    assert len(content) == RECORD_LENGTH * (len(amounts) + 3)
    chunks = [content[i : i + RECORD_LENGTH] for i in range(0, len(content), RECORD_LENGTH)]
    trailer = chunks[-2].decode(ENCODING)
    assert int(trailer[1:7]) == len(amounts)
    assert int(trailer[7:19]) == sum(amounts)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("カ\uff09ミガキヤケンマ", "ｶ)ﾐｶﾞｷﾔｹﾝﾏ"),  # a full-width parenthesis
        ("やまだ　たろう", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("キャッシュ", "ｷﾔﾂｼﾕ"),  # no small kana in the banks' alphabet
        ("ﾊﾟｰﾂ", "ﾊﾟ-ﾂ"),
        ("ｶﾞ", "ｶﾞ"),
        ("abc \uff23o.", "ABC CO."),  # a full-width C
        ("ヴィ", "ｳﾞｲ"),
    ],
)
def test_names_are_converted_to_the_banks_half_width_alphabet(typed, stored):
    assert to_zengin_kana(typed) == stored
    stored.encode(ENCODING)


@pytest.mark.parametrize("typed", ["株式会社研磨", "ケンマ\uff20", "Ω"])
def test_names_that_cannot_be_written_in_kana_are_refused(typed):
    with pytest.raises(ZenginError, match="cannot be used"):
        to_zengin_kana(typed)


def test_values_that_do_not_fit_are_refused_rather_than_cut():
    with pytest.raises(ZenginError, match="between"):
        zengin_file(
            remitter=REMITTER,
            transfer_date=datetime.date(2026, 1, 5),
            transfers=[transfer(10_000_000_000)],
        )
    with pytest.raises(ZenginError, match="digits"):
        zengin_file(
            remitter=REMITTER,
            transfer_date=datetime.date(2026, 1, 5),
            transfers=[transfer(1, account_number="12345678")],
        )


def test_the_csv_opens_in_excel_with_the_kana_intact():
    content = transfers_csv(
        [{"batch": 1, "firm": 3, "holder_kana": "ｶ)ﾐｶﾞｷﾔ", "amount": 1000, "currency": "JPY"}]
    )
    assert content.startswith("\ufeff".encode())
    header, row = content.decode("utf-8-sig").splitlines()
    assert header.startswith("batch,transfer_date,firm")
    assert "ｶ)ﾐｶﾞｷﾔ" in row and row.endswith("1000,JPY")
