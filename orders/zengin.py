"""Bank-transfer files for payouts: the Zengin (全銀協) bulk-transfer format, and CSV.

The Japanese Bankers Association's format for 総合振込 (bulk transfers) is what every
Japanese bank's online banking accepts for upload. A file is a sequence of fixed-length
records of 120 bytes, here each followed by CR LF (the common "with line breaks"
variant; pass ``line_break=""`` for banks that want none), encoded in Shift_JIS (cp932),
in which every character allowed in the format is one byte:

    header   1  データ区分 "1", 種別コード "21", コード区分 "0", 振込依頼人コード (10),
                振込依頼人名 (40), 振込指定日 MMDD, 仕向銀行番号 (4), 仕向銀行名 (15),
                仕向支店番号 (3), 仕向支店名 (15), 預金種目 (1), 口座番号 (7), ダミー (17)
    data     2  被仕向銀行番号 (4), 銀行名 (15), 支店番号 (3), 支店名 (15),
                手形交換所番号 "0000", 預金種目 (1), 口座番号 (7), 受取人名 (30),
                振込金額 (10), 新規コード "0", 顧客コード1 (10), 顧客コード2 (10),
                振込指定区分 "7" (電信), 識別表示 " ", ダミー (7)
    trailer  8  合計件数 (6), 合計金額 (12), ダミー (101)
    end      9  ダミー (119)

Numeric fields (N) are right-aligned and padded with zeros; text fields (C) are
left-aligned and padded with spaces, and hold only half-width katakana, upper-case
letters, digits, space and the symbols ( ) - . , / \\ ｢ ｣. `to_zengin_kana` converts
what a person types (full-width or half-width katakana, hiragana, lower case, long vowel
marks, small kana) into that alphabet and refuses what cannot be converted, such as kanji:
an account holder's name must be registered in kana, as the bank spells it.
"""

import csv
import datetime
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.bounds import MAX_AMOUNT

RECORD_LENGTH = 120
ENCODING = "cp932"
CRLF = "\r\n"
TRANSFER_KIND_BULK = "21"  # 種別コード: 総合振込
CODE_SECTION_JIS = "0"  # コード区分: JIS (Shift_JIS for files)
TELEGRAPHIC_TRANSFER = "7"  # 振込指定区分: 電信扱
MAX_TRANSFER_AMOUNT = MAX_AMOUNT  # ten digits: what every amount that enters is capped to
MAX_TOTAL_AMOUNT = 999_999_999_999  # twelve digits
MAX_RECORDS = 999_999  # six digits

FULL_KATAKANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
)
HALF_KATAKANA = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝ"
# The banks' alphabet has no small kana: a name's ッ or ャ is written full size.
SMALL_TO_LARGE = dict(
    zip("ァィゥェォッャュョヮヵヶヰヱ", "アイウエオツヤユヨワカケイエ", strict=True)
)
KANA_MAP = {
    **dict(zip(FULL_KATAKANA, HALF_KATAKANA, strict=True)),
    "\u3099": "ﾞ",  # combining voiced sound mark, as NFD leaves it
    "\u309a": "ﾟ",  # combining semi-voiced sound mark
    "゛": "ﾞ",
    "゜": "ﾟ",
    "ー": "-",  # the long vowel mark is written as a hyphen in bank names
    "\u2010": "-",  # hyphen
    "\u2015": "-",  # horizontal bar
    "「": "｢",
    "」": "｣",
    "　": " ",
    "・": ".",
}
ALLOWED = frozenset(HALF_KATAKANA + "ﾞﾟ" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ()-.,/\\｢｣")


class ZenginError(ValueError):
    """A value cannot be written in the banks' transfer format; the message says why."""


def to_zengin_kana(text: str) -> str:
    """Return `text` in the banks' half-width alphabet, or raise ZenginError."""
    # NFKC turns half-width kana and full-width letters into their standard forms, and
    # NFD then splits voiced kana (ガ) into the base kana and a mark (カ + ゛), which the
    # half-width alphabet writes as two characters (ｶﾞ).
    normalized = unicodedata.normalize("NFKC", text or "")
    converted = []
    for character in unicodedata.normalize("NFD", normalized):
        if "ぁ" <= character <= "ゖ":
            character = chr(ord(character) + 0x60)  # hiragana to katakana
        character = SMALL_TO_LARGE.get(character, character)
        if character == "ヴ":
            converted.append("ｳﾞ")
            continue
        character = KANA_MAP.get(character, character).upper()
        converted.append(character)
    result = "".join(converted).strip()
    refused = sorted({character for character in result if character not in ALLOWED})
    if refused:
        raise ZenginError(
            _(
                "Bank transfer names are written in katakana, capital letters and digits; "
                "these characters cannot be used: %(refused)s"
            )
            % {"refused": " ".join(refused)}
        )
    return result


def validate_zengin_text(value: str) -> None:
    """Refuse a name that the banks' transfer format cannot carry (model validator)."""
    try:
        to_zengin_kana(value)
    except ZenginError as error:
        raise ValidationError(str(error)) from None


def text_field(value: str, width: int) -> str:
    """Return a text (C) field: converted, left-aligned, space-padded, cut to `width`."""
    return to_zengin_kana(value)[:width].ljust(width)


def number_field(value: int | str, width: int, *, name: str) -> str:
    """Return a numeric (N) field: right-aligned and zero-padded; refuse what does not fit."""
    digits = str(value)
    if not digits.isdigit() or not digits.isascii():
        raise ZenginError(
            _("The %(name)s must be digits only, not %(value)r.") % {"name": name, "value": value}
        )
    if len(digits) > width:
        raise ZenginError(
            _("The %(name)s %(value)s does not fit in %(width)s digits.")
            % {"name": name, "value": value, "width": width}
        )
    return digits.rjust(width, "0")


@dataclass(frozen=True)
class Remitter:
    """The account the transfers are paid from: the network office's."""

    requester_code: str
    name_kana: str
    bank_code: str
    bank_name_kana: str
    branch_code: str
    branch_name_kana: str
    account_type: str
    account_number: str


@dataclass(frozen=True)
class Transfer:
    """One transfer to a member firm's account."""

    bank_code: str
    bank_name_kana: str
    branch_code: str
    branch_name_kana: str
    account_type: str
    account_number: str
    holder_kana: str
    amount: int
    customer_code: int = 0  # our firm id, echoed back in the bank's result file


def _record(*fields: str) -> str:
    record = "".join(fields)
    if len(record) != RECORD_LENGTH:  # a bug in a layout below, never the user's input
        raise AssertionError(f"a Zengin record must be {RECORD_LENGTH} characters")
    return record


def header_record(remitter: Remitter, transfer_date: datetime.date) -> str:
    """Return the header record: who pays, from which account, on which day."""
    return _record(
        "1",
        TRANSFER_KIND_BULK,
        CODE_SECTION_JIS,
        number_field(remitter.requester_code, 10, name="requester code"),
        text_field(remitter.name_kana, 40),
        transfer_date.strftime("%m%d"),
        number_field(remitter.bank_code, 4, name="bank code"),
        text_field(remitter.bank_name_kana, 15),
        number_field(remitter.branch_code, 3, name="branch code"),
        text_field(remitter.branch_name_kana, 15),
        number_field(remitter.account_type, 1, name="account type"),
        number_field(remitter.account_number, 7, name="account number"),
        " " * 17,
    )


def data_record(transfer: Transfer, *, batch_code: int = 0) -> str:
    """Return one data record: a payee's account and the amount to transfer."""
    if not 0 < transfer.amount <= MAX_TRANSFER_AMOUNT:
        raise ZenginError(
            _("A transfer is between ¥1 and ¥%(max)s; ¥%(amount)s cannot be carried.")
            % {"max": f"{MAX_TRANSFER_AMOUNT:,}", "amount": f"{transfer.amount:,}"}
        )
    return _record(
        "2",
        number_field(transfer.bank_code, 4, name="bank code"),
        text_field(transfer.bank_name_kana, 15),
        number_field(transfer.branch_code, 3, name="branch code"),
        text_field(transfer.branch_name_kana, 15),
        "0000",  # 手形交換所番号: unused
        number_field(transfer.account_type, 1, name="account type"),
        number_field(transfer.account_number, 7, name="account number"),
        text_field(transfer.holder_kana, 30),
        number_field(transfer.amount, 10, name="amount"),
        "0",  # 新規コード: neither a first transfer nor a change to report
        number_field(transfer.customer_code, 10, name="customer code"),
        number_field(batch_code, 10, name="batch code"),
        TELEGRAPHIC_TRANSFER,
        " ",  # 識別表示: the customer codes are codes, not EDI text
        " " * 7,
    )


def trailer_record(count: int, total: int) -> str:
    """Return the trailer record: how many transfers, and their total."""
    if count > MAX_RECORDS or total > MAX_TOTAL_AMOUNT:
        raise ZenginError(_("The batch is too large for one transfer file; split it."))
    return _record(
        "8",
        number_field(count, 6, name="record count"),
        number_field(total, 12, name="total"),
        " " * 101,
    )


def end_record() -> str:
    """Return the end record that closes the file."""
    return _record("9", " " * 119)


def zengin_file(
    *,
    remitter: Remitter,
    transfer_date: datetime.date,
    transfers: Iterable[Transfer],
    batch_code: int = 0,
    line_break: str = CRLF,
) -> bytes:
    """Return a complete bulk-transfer file, encoded in cp932."""
    transfers = list(transfers)
    records = [header_record(remitter, transfer_date)]
    records += [data_record(transfer, batch_code=batch_code) for transfer in transfers]
    records.append(trailer_record(len(transfers), sum(t.amount for t in transfers)))
    records.append(end_record())
    content = "".join(record + line_break for record in records)
    encoded = content.encode(ENCODING)
    # One byte per character is what makes the records fixed-length in bytes too.
    if len(encoded) != len(content):
        raise AssertionError("a Zengin file must be single-byte throughout")
    return encoded


CSV_COLUMNS = [
    "batch",
    "transfer_date",
    "firm",
    "firm_name",
    "bank_code",
    "bank_name_kana",
    "branch_code",
    "branch_name_kana",
    "account_type",
    "account_number",
    "holder_kana",
    "amount",
    "currency",
]


def transfers_csv(rows: Iterable[dict]) -> bytes:
    """Return the payout lines as CSV, UTF-8 with a BOM so that Excel reads the kana."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in CSV_COLUMNS})
    return buffer.getvalue().encode("utf-8-sig")
