"""What people type on the order, money and payout pages, checked before a service acts.

As in brokerage.forms, the forms check what needs no workflow state (required fields,
ranges, one of two fields, files); the services decide the rest (shares adding up, what
is owed, who may act), and their refusals are shown on the form that was sent.
"""

import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from core.bounds import (
    MAX_QUANTITY,
    AmountFormField,
    BoundedDateFormField,
    BoundedDateTimeFormField,
)
from core.forms import NUMBER_PAD, MultipleFileField, PageForm
from orders.drawings import ACCEPTED_EXTENSIONS, DrawingRejected, inspect_drawing
from orders.models import (
    ORDER_THREADS,
    BankAccount,
    Message,
    Order,
    Payment,
    PayoutBatch,
    Refund,
    TeamMember,
)
from orders.money import BASIS_POINTS
from orders.services.bank_accounts import BankAccountInput
from orders.services.teams import TeamMemberInput

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BASIS_POINTS_PER_PERCENT = BASIS_POINTS // 100
ORDER_THREAD_CHOICES = [
    (value, label) for value, label in Message.Audience.choices if value in ORDER_THREADS
]
PERCENT_STEP = {"inputmode": "decimal", "step": "0.01", "min": "0", "max": "100"}


def inspected_drawings(files: list) -> list:
    """Refuse the files orders.drawings would refuse, each with its own message."""
    errors = []
    seen = set()
    for uploaded in files:
        try:
            facts = inspect_drawing(uploaded)
        except DrawingRejected as refusal:
            errors.append(str(refusal))
            continue
        if facts["sha256"] in seen:
            errors.append(_("“%(name)s” was chosen twice.") % {"name": facts["original_name"]})
        seen.add(facts["sha256"])
    if errors:
        raise ValidationError(errors)
    return files


def _with_accepted_formats(message: str) -> str:
    return gettext(message) % {"formats": ACCEPTED_EXTENSIONS}


# Fields are built once, at import: their help must be filled in the language of each page,
# not in the language active at import (which `_("…") % …` would freeze).
with_accepted_formats = lazy(_with_accepted_formats, str)


def drawings_field(*, required: bool) -> MultipleFileField:
    return MultipleFileField(
        label=_("Drawings"),
        required=required,
        help_text=with_accepted_formats(
            gettext_noop("You may choose several files. Accepted: %(formats)s.")
        ),
    )


class OrderFilterForm(forms.Form):
    """Filter a list of orders (GET)."""

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Order.Status.choices], required=False
    )


# --- The team ---------------------------------------------------------------------------


class TeamForm(PageForm):
    """The team as a whole: it has no fields, and carries what the service says of it."""

    id_prefix = "team"


class TeamMemberForm(forms.Form):
    """One firm's part: its work package and what it receives, a share or a fixed amount."""

    firm = forms.TypedChoiceField(label=_("Firm"), coerce=int)
    role = forms.ChoiceField(
        label=_("Role"), choices=TeamMember.Role.choices, initial=TeamMember.Role.MEMBER
    )
    work_package = forms.CharField(
        label=_("Work package"),
        max_length=200,
        help_text=_("What this firm does, e.g. “Polish 100 cups” or “Resin cover”."),
    )
    phase = forms.ChoiceField(
        label=_("Phase"), choices=[("", _("—")), *TeamMember.Phase.choices], required=False
    )
    quantity = forms.IntegerField(
        label=_("Quantity (pieces)"),
        min_value=1,
        max_value=MAX_QUANTITY,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    share_percent = forms.DecimalField(
        label=_("Share (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs=PERCENT_STEP),
        help_text=_("Of each payment after the office fee; all shares add up to 100%."),
    )
    amount = AmountFormField(
        label=_("Or a fixed amount (yen)"),
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    planned_start = BoundedDateFormField(
        label=_("Planned start"), required=False, widget=DATE_INPUT
    )
    planned_finish = BoundedDateFormField(
        label=_("Planned finish"), required=False, widget=DATE_INPUT
    )

    def __init__(self, *args, firm_choices, phases: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].choices = [("", _("— choose a firm —")), *firm_choices]
        if not phases:
            # Only phased projects (Rodan21's consultation) divide the work by phase.
            del self.fields["phase"]

    def clean(self):
        cleaned = super().clean()
        share, amount = cleaned.get("share_percent"), cleaned.get("amount")
        if "share_percent" in self.errors or "amount" in self.errors:
            return cleaned
        if share is None and amount is None:
            # xgettext:no-python-format
            self.add_error("share_percent", _("Give a share in % or a fixed amount."))
        elif share is not None and amount is not None:
            # xgettext:no-python-format
            self.add_error("amount", _("Give a share in % or a fixed amount, not both."))
        return cleaned

    def member_input(self) -> TeamMemberInput:
        data = self.cleaned_data
        share = data.get("share_percent")
        return TeamMemberInput(
            firm_id=data["firm"],
            work_package=data["work_package"],
            role=data["role"],
            share_bps=int(share * BASIS_POINTS_PER_PERCENT) if share is not None else None,
            amount=data.get("amount"),
            phase=data.get("phase", ""),
            quantity=data.get("quantity"),
            planned_start=data.get("planned_start"),
            planned_finish=data.get("planned_finish"),
        )


class BaseTeamMemberFormSet(forms.BaseFormSet):
    def member_inputs(self) -> list[TeamMemberInput]:
        return [
            form.member_input()
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.member_inputs():
            raise ValidationError(_("A team needs at least one member firm."))


TeamMemberFormSet = forms.formset_factory(
    TeamMemberForm, formset=BaseTeamMemberFormSet, extra=2, can_delete=True
)


def share_percent(share_bps: int | None) -> Decimal | None:
    """Return a share in basis points as the percentage the team form shows."""
    return None if share_bps is None else Decimal(share_bps) / BASIS_POINTS_PER_PERCENT


class TeamAnswerForm(PageForm):
    """A team firm's answer to its part: confirm it, or decline it saying why."""

    id_prefix = "part"

    accept = forms.TypedChoiceField(
        label=_("Your answer"),
        choices=[("yes", _("Confirm our part")), ("no", _("Decline our part"))],
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Why does your firm decline?"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The leader needs it to give the part to another firm."),
    )


# --- Production and deliveries ----------------------------------------------------------


class WorkPackageForm(forms.Form):
    """A work package's progress: started or finished on a day."""

    state = forms.ChoiceField(
        label=_("State"),
        choices=[
            (TeamMember.State.IN_PROGRESS, TeamMember.State.IN_PROGRESS.label),
            (TeamMember.State.DONE, TeamMember.State.DONE.label),
        ],
    )
    on = BoundedDateFormField(label=_("On"), widget=DATE_INPUT)


class PlanForm(forms.Form):
    """A work package's planned dates."""

    planned_start = BoundedDateFormField(
        label=_("Planned start"), required=False, widget=DATE_INPUT
    )
    planned_finish = BoundedDateFormField(
        label=_("Planned finish"), required=False, widget=DATE_INPUT
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("planned_start") or cleaned.get("planned_finish")):
            raise ValidationError(_("Give a new planned start or finish."))
        return cleaned


class DeliveryForm(PageForm):
    """Goods shipped to the customer."""

    id_prefix = "delivery"

    description = forms.CharField(
        label=_("What is delivered"),
        max_length=300,
        help_text=_("For example “300 cups, mirror finish, in 3 boxes”."),
    )
    quantity = forms.IntegerField(
        label=_("Quantity (pieces)"),
        min_value=1,
        max_value=MAX_QUANTITY,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    is_final = forms.BooleanField(
        label=_("This is the final delivery"),
        required=False,
        help_text=_("Every work package must be done; its receipt delivers the order."),
    )


def score_choices():
    return [
        ("", _("Choose…")),
        ("5", _("5 - excellent")),
        ("4", _("4 - good")),
        ("3", _("3 - acceptable")),
        ("2", _("2 - poor")),
        ("1", _("1 - very poor")),
    ]


def score_field(label):
    return forms.TypedChoiceField(label=label, choices=score_choices, coerce=int)


class RatingForm(PageForm):
    """The customer's rating of a delivered order: three scores and a comment."""

    id_prefix = "rating"

    quality = score_field(_("Quality of the work"))
    delivery = score_field(_("Delivery (on time, as agreed)"))
    communication = score_field(_("Communication"))
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InspectionDocumentsForm(forms.Form):
    """Inspection reports or photos for a delivery."""

    documents = MultipleFileField(
        label=_("Inspection documents"),
        help_text=with_accepted_formats(
            gettext_noop("Reports or photos; you may choose several files. Accepted: %(formats)s.")
        ),
    )

    def clean_documents(self):
        return inspected_drawings(self.cleaned_data["documents"])


class OrderMessageForm(PageForm):
    """A message on one of the order's threads: some text, files (drawings, photos,
    inspection sheets), or both."""

    body = forms.CharField(
        label=_("Message"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    audience = forms.ChoiceField(choices=ORDER_THREAD_CHOICES, widget=forms.HiddenInput)
    files = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=with_accepted_formats(
            gettext_noop(
                "Drawings, photos or inspection sheets; you may choose several. "
                "Accepted: %(formats)s."
            )
        ),
    )

    def clean_files(self):
        return inspected_drawings(self.cleaned_data["files"])

    def clean(self):
        cleaned = super().clean()
        cleaned["body"] = (cleaned.get("body") or "").strip()
        if not cleaned["body"] and not cleaned.get("files") and "files" not in self.errors:
            raise ValidationError(_("Write a message or attach a file."))
        return cleaned


# --- Money ------------------------------------------------------------------------------


class PaymentForm(PageForm):
    """A payment the office received: a bank transfer, or damages set off against it.

    The time is read in the current time zone; the view activates the network's zone.
    """

    id_prefix = "payment"

    method = forms.ChoiceField(
        label=_("Method"),
        choices=[
            (Payment.Method.BANK_TRANSFER, Payment.Method.BANK_TRANSFER.label),
            (Payment.Method.DAMAGES_SETOFF, Payment.Method.DAMAGES_SETOFF.label),
        ],
        initial=Payment.Method.BANK_TRANSFER,
        widget=forms.RadioSelect,
    )
    amount = AmountFormField(
        label=_("Amount (yen)"),
        min_value=1,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    received_at = BoundedDateTimeFormField(
        past_only=True,
        label=_("Received at"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("When the transfer arrived in the network's account."),
    )
    reference = forms.CharField(
        label=_("Bank reference"),
        max_length=200,
        required=False,
        help_text=_("As on the bank statement, e.g. the payer's name in kana."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=2_000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # A form sent again (a double click, a resent page) records one payment.
    idempotency_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def clean(self):
        cleaned = super().clean()
        transfer = cleaned.get("method") == Payment.Method.BANK_TRANSFER
        if transfer and not cleaned.get("received_at") and "received_at" not in self.errors:
            self.add_error("received_at", _("Give the day and time the transfer arrived."))
        return cleaned


class FaultClaimForm(PageForm):
    """Damages for a fault, charged to the team member responsible."""

    id_prefix = "fault"

    firm = forms.TypedChoiceField(
        label=_("Responsible firm"),
        coerce=int,
        help_text=_("Only this firm's payable is charged; nobody else's."),
    )
    amount = AmountFormField(
        label=_("Damages (yen)"),
        min_value=1,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    description = forms.CharField(
        label=_("The fault and how it was assessed"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, firm_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].choices = [("", _("— choose the firm —")), *firm_choices]


class RefundForm(PageForm):
    """Money paid back to the customer."""

    id_prefix = "refund"

    amount = AmountFormField(
        label=_("Amount (yen)"),
        min_value=1,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    source = forms.ChoiceField(
        label=_("Paid from"),
        choices=Refund.Source.choices,
        initial=Refund.Source.ALLOCATIONS,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2_000, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- Payouts and bank accounts ----------------------------------------------------------


class PayoutBatchForm(PageForm):
    """Open a draft payout batch for one of the office's networks."""

    id_prefix = "payout"

    network = forms.ModelChoiceField(label=_("Network"), queryset=None, empty_label=None)
    transfer_date = BoundedDateFormField(label=_("Transfer date"), widget=DATE_INPUT)

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks


class PayoutFilterForm(forms.Form):
    """Filter the office's payout batches (GET)."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *PayoutBatch.Status.choices],
    )


class StatementFilterForm(forms.Form):
    """Filter the statements an office reads by network (GET)."""

    network = forms.ModelChoiceField(
        label=_("Network"),
        queryset=None,
        required=False,
        empty_label=_("All my networks"),
        to_field_name="slug",
    )

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks


KANA_HELP = _("In katakana; it is converted to the half-width kana the banks' files use.")


class BankAccountForm(forms.Form):
    """A Japanese bank account: a firm's (paid to) or a network's (paid from)."""

    bank_code = forms.RegexField(
        label=_("Bank code"),
        regex=r"^\d{4}$",
        error_messages={"invalid": _("Four digits.")},
        widget=forms.TextInput(attrs=NUMBER_PAD),
    )
    branch_code = forms.RegexField(
        label=_("Branch code"),
        regex=r"^\d{3}$",
        error_messages={"invalid": _("Three digits.")},
        widget=forms.TextInput(attrs=NUMBER_PAD),
    )
    account_type = forms.ChoiceField(
        label=_("Account type"), choices=BankAccount.Type.choices, initial=BankAccount.Type.ORDINARY
    )
    account_number = forms.RegexField(
        label=_("Account number"),
        regex=r"^\d{7}$",
        error_messages={"invalid": _("Seven digits.")},
        widget=forms.TextInput(attrs=NUMBER_PAD),
    )
    holder_kana = forms.CharField(
        label=_("Account holder (kana)"), max_length=80, help_text=KANA_HELP
    )
    requester_code = forms.RegexField(
        label=_("Requester code (委託者コード)"),
        regex=r"^\d{10}$",
        error_messages={"invalid": _("Ten digits.")},
        widget=forms.TextInput(attrs=NUMBER_PAD),
        help_text=_("Assigned by your bank for bulk transfers."),
    )

    def __init__(self, *args, remitter: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not remitter:
            # Only the network's paying account needs the bank's requester code.
            del self.fields["requester_code"]

    def account_input(self) -> BankAccountInput:
        return BankAccountInput(
            **{name: value for name, value in self.cleaned_data.items()},
        )


def bank_account_initial(account: BankAccount | None) -> dict:
    if account is None:
        return {}
    return {
        field: getattr(account, field)
        for field in (
            "bank_code",
            "branch_code",
            "account_type",
            "account_number",
            "holder_kana",
            "requester_code",
        )
    }
