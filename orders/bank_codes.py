"""Japanese bank and branch codes, and names as the banks' transfer files spell them.

Codes are checked against the Zengin bank code data (the maintained `zengin-code`
package, refreshed with each release), never a list kept here; the bank's and branch's
names are taken from that data. An account holder's name is kept in the half-width
katakana a Zengin file carries: full-width katakana and hiragana are converted (with
`jaconv`), and what cannot be converted, such as kanji, is refused with a reason.
"""

from dataclasses import dataclass

import jaconv
from django.utils.translation import gettext as _
from zengin_code import Bank

from core.errors import Refusal
from orders.zengin import ALLOWED

# The widths of the Zengin data record's name fields.
BANK_NAME_WIDTH = 15
BRANCH_NAME_WIDTH = 15
HOLDER_NAME_WIDTH = 30
# The banks' alphabet has no small kana nor the long vowel mark: ｯ is written ﾂ, ｰ as -.
HALF_WIDTH_SMALL_TO_LARGE = str.maketrans("ｧｨｩｪｫｬｭｮｯｰ", "ｱｲｳｴｵﾔﾕﾖﾂ-")


@dataclass(frozen=True)
class BankBranch:
    bank_name_kana: str
    branch_name_kana: str


def half_width_kana(text: str) -> str:
    """Return the text in half-width katakana, capitals and digits (no check made)."""
    converted = jaconv.z2h(jaconv.hira2kata(text or ""), kana=True, ascii=True, digit=True)
    return converted.translate(HALF_WIDTH_SMALL_TO_LARGE).upper().strip()


def bank_branch_lookup(*, bank_code: str, branch_code: str) -> BankBranch:
    """Return the bank's and branch's names for their codes, or refuse unknown codes."""
    bank = Bank.all.get(bank_code)
    if bank is None:
        raise Refusal(
            _("No bank has the code %(code)s in the Zengin bank code data.") % {"code": bank_code},
            field="bank_code",
        )
    branch = bank.branches.get(branch_code)
    if branch is None:
        raise Refusal(
            _("%(bank)s bank has no branch with the code %(code)s.")
            % {"bank": bank.name, "code": branch_code},
            field="branch_code",
        )
    return BankBranch(
        bank_name_kana=half_width_kana(bank.kana)[:BANK_NAME_WIDTH],
        branch_name_kana=half_width_kana(branch.kana)[:BRANCH_NAME_WIDTH],
    )


def holder_name_kana(text: str) -> str:
    """Return an account holder's name in the banks' half-width kana, or refuse it."""
    converted = half_width_kana(text)
    refused = sorted({character for character in converted if character not in ALLOWED})
    if refused:
        raise Refusal(
            _(
                "Write the account holder's name in katakana or hiragana as the bank "
                "spells it; these characters cannot be converted: %(refused)s"
            )
            % {"refused": " ".join(refused)},
            field="holder_kana",
        )
    if not converted:
        raise Refusal(_("The account holder's name is needed."), field="holder_kana")
    if len(converted) > HOLDER_NAME_WIDTH:
        raise Refusal(
            _(
                "A transfer file carries at most %(width)s half-width characters of "
                "the holder's name; this one has %(length)s."
            )
            % {"width": HOLDER_NAME_WIDTH, "length": len(converted)},
            field="holder_kana",
        )
    return converted
