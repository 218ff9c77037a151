"""What people type on the pages, checked before a service is asked to act on it.

The forms check what can be checked without the workflow's state (required fields,
ranges, files); the services decide the rest, and their refusals are shown on the form.
"""

import datetime
import uuid

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brokerage.models import Invitation, PhaseAssignment
from brokerage.services.estimates import EstimateLineInput
from brokerage.services.intake import RequirementInput, RFQInput
from capabilities.models import MAX_GRADE, MIN_GRADE, Capability
from core.bounds import (
    MAX_QUANTITY,
    AmountFormField,
    BoundedDateFormField,
    BoundedDateTimeFormField,
)
from core.forms import NUMBER_PAD, PageForm
from members.models import User
from orders.forms import DATE_INPUT, drawings_field, inspected_drawings
from orders.models import RFQ, Message

MAX_LEAD_TIME_DAYS = 3_650
GRADE_CHOICES = [(grade, str(grade)) for grade in range(MIN_GRADE, MAX_GRADE + 1)]


def grade_field_name(capability: Capability) -> str:
    return f"grade_{capability.pk}"


class RequirementsPicking:
    """The capabilities a request needs, each with its minimum grade, ticked from the
    taxonomy (templates/brokerage/includes/requirements_picker.html draws them)."""

    def add_grade_fields(self, capabilities: list[Capability], suggested=()) -> None:
        self.capabilities = capabilities
        self.suggested = set(suggested)
        self.fields["requirements"].choices = [(c.code, c.name) for c in capabilities]
        for capability in capabilities:
            self.fields[grade_field_name(capability)] = forms.TypedChoiceField(
                label=_("Minimum grade for %(name)s") % {"name": capability.name},
                choices=GRADE_CHOICES,
                coerce=int,
                initial=MIN_GRADE,
                required=False,
            )

    def requirement_groups(self) -> list[dict]:
        """Return the taxonomy grouped by kind, each row with its checkbox state and grade."""
        chosen = set(self["requirements"].value() or [])
        rows_by_kind: dict[str, list[dict]] = {}
        for capability in self.capabilities:
            rows_by_kind.setdefault(capability.kind, []).append(
                {
                    "capability": capability,
                    "checked": capability.code in chosen,
                    "suggested": capability.code in self.suggested,
                    "grade": self[grade_field_name(capability)],
                }
            )
        kinds = Capability.Kind
        return [
            {
                "kind": kind,
                "label": kinds(kind).label if kind in kinds.values else kind,
                "rows": rows,
                "open": any(row["checked"] for row in rows),
            }
            for kind, rows in sorted(
                rows_by_kind.items(),
                key=lambda item: kinds.values.index(item[0]) if item[0] in kinds.values else 99,
            )
        ]

    def requirement_inputs(self) -> tuple[RequirementInput, ...]:
        data = self.cleaned_data
        by_code = {capability.code: capability for capability in self.capabilities}
        return tuple(
            RequirementInput(
                capability_code=code,
                min_grade=data.get(grade_field_name(by_code[code])) or MIN_GRADE,
            )
            for code in data["requirements"]
        )


class RequestForm(RequirementsPicking, forms.Form):
    """A request's details, the capabilities it needs with their grades, and its drawings."""

    kind = forms.ChoiceField(
        label=_("Kind of request"), choices=RFQ.Kind.choices, initial=RFQ.Kind.PROTOTYPE
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("A short name for the job, e.g. “Aluminium housing, 5 pieces”."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What should be made, from what, to which tolerances and finish, and what for."
        ),
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    material = forms.CharField(label=_("Material"), max_length=200, required=False)
    requirements = forms.MultipleChoiceField(
        label=_("Required capabilities"), required=False, widget=forms.CheckboxSelectMultiple
    )
    desired_date = BoundedDateFormField(
        label=_("Desired delivery date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    budget_min = AmountFormField(
        label=_("Budget from (yen)"),
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    budget_max = AmountFormField(
        label=_("Budget up to (yen)"),
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    confidential = forms.BooleanField(
        label=_("Confidential"),
        required=False,
        help_text=_("Only member firms that signed the network's NDA see the details."),
    )
    drawings = drawings_field(required=False)

    def __init__(
        self,
        *args,
        capabilities: list[Capability],
        suggested=(),
        requirements_required: bool = False,
        draft: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # A draft may be saved incomplete: it is checked whole when it is submitted.
        self.requirements_required = requirements_required and not draft
        self.fields["description"].required = not draft
        self.add_grade_fields(capabilities, suggested)

    def clean_requirements(self):
        codes = self.cleaned_data["requirements"]
        if self.requirements_required and not codes:
            raise ValidationError(
                _(
                    "Tick at least one capability, or press “Suggest capabilities from my "
                    "text”: this network routes a request to the firms with the skills it needs."
                )
            )
        return codes

    def clean_desired_date(self):
        desired = self.cleaned_data["desired_date"]
        if desired is not None and desired < timezone.localdate():
            raise ValidationError(_("The desired date lies in the past."))
        return desired

    def clean_drawings(self):
        return inspected_drawings(self.cleaned_data["drawings"])

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("budget_min"), cleaned.get("budget_max")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max", _("The upper budget must not be below the lower one."))
        return cleaned

    def rfq_input(self, **extra) -> RFQInput:
        data = self.cleaned_data
        return RFQInput(
            title=data["title"],
            description=data["description"],
            kind=data["kind"],
            quantity=data["quantity"],
            material=data["material"],
            requirements=self.requirement_inputs(),
            desired_date=data["desired_date"],
            budget_min=data["budget_min"],
            budget_max=data["budget_max"],
            confidential=data["confidential"],
            **extra,
        )

    @staticmethod
    def initial_of(rfq: RFQ) -> dict:
        """Return a saved request's fields as the form's initial values (a draft reopened)."""
        initial = {
            name: getattr(rfq, name)
            for name in (
                "kind",
                "title",
                "description",
                "quantity",
                "material",
                "desired_date",
                "budget_min",
                "budget_max",
                "confidential",
            )
        }
        requirements = list(rfq.requirements.select_related("capability"))
        initial["requirements"] = [row.capability.code for row in requirements]
        initial.update({grade_field_name(row.capability): row.min_grade for row in requirements})
        return initial


class SignUpForm(forms.Form):
    """A visitor's account, created with their first request."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    organization = forms.CharField(
        label=_("Organization"),
        max_length=200,
        required=False,
        help_text=_("Company, university or institute; leave empty as a private person."),
    )
    customer_type = forms.ChoiceField(
        label=_("You are"),
        choices=User.CustomerType.choices,
        initial=User.CustomerType.COMPANY,
        widget=forms.RadioSelect,
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("An account with this e-mail exists; please log in."))
        return email

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(email=cleaned.get("email", ""), first_name=cleaned.get("name", ""))
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class OfficeCustomerForm(forms.Form):
    """Who a request keyed in by the office is for, and how it came in."""

    network = forms.ModelChoiceField(label=_("Network"), queryset=None, empty_label=None)
    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[
            (RFQ.Channel.FAX, RFQ.Channel.FAX.label),
            (RFQ.Channel.PHONE, RFQ.Channel.PHONE.label),
            (RFQ.Channel.EMAIL, RFQ.Channel.EMAIL.label),
        ],
        widget=forms.RadioSelect,
        initial=RFQ.Channel.FAX,
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=RFQ.Urgency.choices,
        initial=RFQ.Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    # Read in the network's time zone, which the view activates.
    received_at = BoundedDateTimeFormField(
        label=_("Arrived at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_(
            "When the fax, call or e-mail came in: the estimate clock runs from then. "
            "Leave it empty if it came in just now."
        ),
    )
    customer = forms.ModelChoiceField(
        label=_("Existing customer"),
        queryset=None,
        required=False,
        empty_label=_("— a new customer (fill in below) —"),
    )
    new_name = forms.CharField(label=_("New customer's name"), max_length=150, required=False)
    new_email = forms.EmailField(label=_("New customer's e-mail"), required=False)
    new_organization = forms.CharField(
        label=_("New customer's organization"), max_length=200, required=False
    )
    new_customer_type = forms.ChoiceField(
        label=_("New customer's type"),
        choices=User.CustomerType.choices,
        initial=User.CustomerType.COMPANY,
        required=False,
    )

    def __init__(self, *args, networks, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks
        self.fields["customer"].queryset = customers
        self.fields["customer"].label_from_instance = customer_label

    def clean(self):
        cleaned = super().clean()
        received_at, network = cleaned.get("received_at"), cleaned.get("network")
        if received_at is not None and network is not None:
            # The office reads the fax's time on the network's clock, whatever the server's.
            cleaned["received_at"] = timezone.make_aware(
                timezone.make_naive(received_at), network.tzinfo
            )
        if cleaned.get("customer") is not None:
            if cleaned.get("new_name") or cleaned.get("new_email"):
                raise ValidationError(
                    _("Choose an existing customer or enter a new one, not both.")
                )
            return cleaned
        if not cleaned.get("new_name"):
            self.add_error("new_name", _("Give the new customer's name, or choose one above."))
        email = cleaned.get("new_email")
        if not email and "new_email" not in self.errors:
            self.add_error("new_email", _("Give the new customer's e-mail."))
        elif email and User.objects.filter(email__iexact=email).exists():
            self.add_error("new_email", _("A customer with this e-mail exists: choose them above."))
        return cleaned


def customer_label(customer: User) -> str:
    name = customer.display_name
    return f"{name} ({customer.organization})" if customer.organization else name


class AnswerForm(PageForm):
    """An invited firm's answer: can do (with price and lead time) or cannot do."""

    id_prefix = "answer"

    can_do = forms.TypedChoiceField(
        label=_("Your answer"),
        choices=[("yes", _("Can do")), ("no", _("Cannot do"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    price = AmountFormField(
        label=_("Price (yen, before tax)"),
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    lead_time_days = forms.IntegerField(
        label=_("Lead time (days)"),
        min_value=0,
        max_value=MAX_LEAD_TIME_DAYS,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    note = forms.CharField(
        label=_("Internal note"),
        max_length=2_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For the office and the project leader only, never the customer: for example "
            "how you would make it, or why you cannot."
        ),
    )
    line_description = forms.CharField(
        label=_("Line for the customer's estimate"),
        max_length=300,
        required=False,
        help_text=_("Optional: how your work reads on the estimate the customer receives."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("can_do"):
            if cleaned.get("price") is None and "price" not in self.errors:
                self.add_error("price", _("Give your price when you can do it."))
            if cleaned.get("lead_time_days") is None and "lead_time_days" not in self.errors:
                self.add_error("lead_time_days", _("Give your lead time when you can do it."))
        return cleaned


class BoardDecisionForm(PageForm):
    """An administrative member's decision on taking the order on."""

    id_prefix = "decision"

    accept = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Accept the order")), ("no", _("Decline the order"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when declining: the customer is told politely why."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("accept") is False and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Give the customer a reason when declining."))
        return cleaned


class ProposalForm(PageForm):
    """A coordinator group's proposal: its price, lead time, approach and team."""

    id_prefix = "proposal"

    price = AmountFormField(
        label=_("Price (yen, before tax)"),
        min_value=0,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    lead_time_days = forms.IntegerField(
        label=_("Lead time (days)"),
        min_value=0,
        max_value=MAX_LEAD_TIME_DAYS,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    approach = forms.CharField(
        label=_("Approach"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How your group would do it; the customer compares the proposals."),
    )
    team = forms.TypedMultipleChoiceField(
        label=_("Team"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The firms of your group that would do the work."),
    )

    def __init__(self, *args, firms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(firm.pk, firm.name) for firm in firms]


class LeaderForm(PageForm):
    """The project leader the office (or the board) designates, and on what grounds."""

    id_prefix = "leader"

    firm = forms.TypedChoiceField(label=_("Project leader"), coerce=int)
    reason = forms.ChoiceField(
        label=_("Grounds"),
        choices=[
            (RFQ.LeaderReason.DISCUSSION, RFQ.LeaderReason.DISCUSSION.label),
            (RFQ.LeaderReason.URGENT, RFQ.LeaderReason.URGENT.label),
        ],
    )

    def __init__(self, *args, firm_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].choices = firm_choices


class ScheduleForm(PageForm):
    """When and where an interview or a planning meeting takes place.

    The time is read in the current time zone; the view activates the network's zone.
    """

    scheduled_at = BoundedDateTimeFormField(
        label=_("Date and time"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)


class InterviewNotesForm(PageForm):
    id_prefix = "interview_notes"

    notes = forms.CharField(
        label=_("What the customer said"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class PhasesForm(PageForm):
    """The firm of the planning meeting chosen for each phase of a consultation."""

    id_prefix = "phases"

    notes = forms.CharField(
        label=_("Planning meeting notes"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, firms, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— nobody —")), *((firm.pk, firm.name) for firm in firms)]
        for phase, label in PhaseAssignment.Phase.choices:
            self.fields[f"phase_{phase}"] = forms.TypedChoiceField(
                label=label, choices=choices, coerce=int, required=False, empty_value=None
            )

    def phase_fields(self):
        return [self[f"phase_{phase}"] for phase in PhaseAssignment.Phase.values]

    def firms_by_phase(self) -> dict[str, int]:
        return {
            phase: self.cleaned_data[f"phase_{phase}"]
            for phase in PhaseAssignment.Phase.values
            if self.cleaned_data.get(f"phase_{phase}")
        }


class EstimateForm(PageForm):
    """An estimate's terms; its lines come from EstimateLineFormSet."""

    id_prefix = "estimate"

    lead_time_days = forms.IntegerField(
        label=_("Lead time (days)"),
        min_value=0,
        max_value=MAX_LEAD_TIME_DAYS,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    valid_until = BoundedDateFormField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_valid_until(self):
        valid_until = self.cleaned_data["valid_until"]
        if valid_until < timezone.localdate():
            raise ValidationError(_("The estimate must be valid until today or later."))
        return valid_until


class EstimateLineForm(forms.Form):
    firm = forms.TypedChoiceField(label=_("Firm"), coerce=int)
    work_package = forms.CharField(label=_("Work package"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), max_length=300)
    amount = AmountFormField(
        label=_("Amount (yen)"),
        min_value=0,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )

    def __init__(self, *args, firm_choices, **kwargs):
        super().__init__(*args, **kwargs)
        # A blank first choice: an extra line left as it is stays unchanged and is skipped,
        # instead of sending the first firm and failing for want of a description.
        self.fields["firm"].choices = [("", _("— choose a firm —")), *firm_choices]


class BaseEstimateLineFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.line_inputs():
            raise ValidationError(_("An estimate needs at least one line."))

    def line_inputs(self) -> list[EstimateLineInput]:
        return [
            EstimateLineInput(
                firm_id=form.cleaned_data["firm"],
                description=form.cleaned_data["description"],
                amount=form.cleaned_data["amount"],
                work_package=form.cleaned_data.get("work_package", ""),
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


EstimateLineFormSet = forms.formset_factory(
    EstimateLineForm, formset=BaseEstimateLineFormSet, extra=1, can_delete=True
)


def default_valid_until() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=30)


class DeclineForm(PageForm):
    id_prefix = "decline"

    reason = forms.CharField(
        label=_("Why do you decline?"),
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The network uses it to do better next time."),
    )


class WithdrawForm(PageForm):
    id_prefix = "withdraw"

    note = forms.CharField(
        label=_("Why do you withdraw it? (optional)"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReissueForm(PageForm):
    """The new last valid day of an expired estimate the office re-issues."""

    id_prefix = "reissue"

    valid_until = BoundedDateFormField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class CancelForm(PageForm):
    id_prefix = "cancel"

    reason = forms.CharField(
        label=_("Reason for cancelling (optional)"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TriageRequirementsForm(RequirementsPicking, PageForm):
    """The office's correction of what a request in triage needs: every skill it needs."""

    id_prefix = "triage_requirements"

    requirements = forms.MultipleChoiceField(
        label=_("Required capabilities"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one capability the job needs.")},
    )

    def __init__(self, *args, capabilities: list[Capability], **kwargs):
        super().__init__(*args, **kwargs)
        self.add_grade_fields(capabilities)


class TriageInviteForm(PageForm):
    """Member firms the office invites by hand to a request in triage, and why."""

    id_prefix = "triage_invite"

    firms = forms.TypedMultipleChoiceField(
        label=_("Member firms to invite"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one member firm.")},
    )
    reason = forms.CharField(
        label=_("Why these firms"),
        max_length=1_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with each invitation; the firms read it."),
    )

    def __init__(self, *args, firm_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firms"].choices = firm_choices


class TriageCloseForm(PageForm):
    """The office's decision to close a request in triage as no bid."""

    id_prefix = "triage_close"

    reason = forms.CharField(
        label=_("Your decision, told to the customer"),
        max_length=1_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MessageForm(PageForm):
    body = forms.CharField(
        label=_("Message"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    audience = forms.ChoiceField(choices=Message.Audience.choices, widget=forms.HiddenInput)

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError(_("Write a message first."))
        return body


class DrawingsForm(PageForm):
    id_prefix = "drawings"

    drawings = drawings_field(required=True)

    def clean_drawings(self):
        return inspected_drawings(self.cleaned_data["drawings"])


class RequestFilterForm(forms.Form):
    """Filter and sort a list of requests (GET)."""

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *RFQ.Status.choices], required=False
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-created", _("Newest first")),
            ("created", _("Oldest first")),
            ("due", _("Estimate due, soonest first")),
            ("-due", _("Estimate due, latest first")),
        ],
    )


class QueueFilterForm(forms.Form):
    """Filter the office's queue (GET)."""

    network = forms.ModelChoiceField(
        label=_("Network"), queryset=None, required=False, empty_label=_("All my networks")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All open")), *((s.value, s.label) for s in RFQ.OPEN_STATUSES)],
    )

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks


class InvitationFilterForm(forms.Form):
    """Filter the firm's invitations (GET)."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Invitation.Status.choices]
    )


class FollowOnForm(PageForm):
    """A follow-on request (e.g. mass production after the prototype)."""

    id_prefix = "follow_on"

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What changes from the prototype: quantity, material, finish, schedule."),
    )
    kind = forms.ChoiceField(
        label=_("Kind of request"), choices=RFQ.Kind.choices, initial=RFQ.Kind.PRODUCTION
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    desired_date = BoundedDateFormField(
        label=_("Desired delivery date"), required=False, widget=DATE_INPUT
    )
    budget_max = AmountFormField(
        label=_("Budget up to (yen)"),
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER_PAD),
    )
    confidential = forms.BooleanField(label=_("Confidential"), required=False)
    # A sent form that is sent again (a double click, a retry) submits one request.
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def clean_desired_date(self):
        desired = self.cleaned_data["desired_date"]
        if desired is not None and desired < timezone.localdate():
            raise ValidationError(_("The desired date lies in the past."))
        return desired

    def rfq_input(self) -> RFQInput:
        data = self.cleaned_data
        return RFQInput(
            title=data["title"],
            description=data["description"],
            kind=data["kind"],
            quantity=data["quantity"],
            desired_date=data["desired_date"],
            budget_max=data["budget_max"],
            confidential=data["confidential"],
        )
