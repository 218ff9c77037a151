import datetime
import re
import zoneinfo

import phonenumbers
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from core.bilingual import BilingualNameMixin
from members.prefectures import Prefecture

WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)  # Monday is 0, as in datetime.date.weekday()
# Hiragana, katakana (full and half width) and the CJK ideographs: a name written in Japanese.
JAPANESE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def validate_weekdays(value) -> None:
    if not isinstance(value, list) or not value or any(day not in WEEKDAYS for day in value):
        raise ValidationError(
            _("Working days are a non-empty list of weekdays 0 (Mon) to 6 (Sun).")
        )


def default_working_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


def validate_sms_number(value) -> None:
    """Accept only numbers that can receive a text message: mobile numbers (in Japan
    070, 080 and 090), written domestically (090-1234-5678) or in full (+81 90 1234 5678)."""
    if not value:
        return
    try:
        # The model's and the forms' PhoneNumber is a phonenumbers.PhoneNumber.
        number = (
            value
            if isinstance(value, phonenumbers.PhoneNumber)
            else phonenumbers.parse(str(value), "JP")
        )
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number)
        not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
    ):
        raise ValidationError(
            _(
                "Enter a mobile number that can receive text messages, such as "
                "090-1234-5678 or +81 90 1234 5678."
            ),
            code="not_mobile",
        )


qualified_invoice_number_validator = RegexValidator(
    r"^T\d{13}$",
    _("A qualified-invoice registration number is T followed by 13 digits."),
)


class Network(BilingualNameMixin, models.Model):
    """A production network: its members, its office and the rules requests follow."""

    class Policy(models.TextChoices):
        COMPETENCY_BROADCAST = "competency_broadcast", _("Competency broadcast")
        ADMIN_BOARD = "admin_board", _("Administrative board")
        CONSULTATION = "consultation", _("Consultation with interview and planning")
        COMPETING_GROUPS = "competing_groups", _("Competing coordinator groups")

    class DecisionRule(models.TextChoices):
        ANY = "any", _("Any administrative member accepts")
        MAJORITY = "majority", _("A majority of administrative members accept")
        ALL = "all", _("All administrative members accept")

    slug = models.SlugField(unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    region = models.CharField(_("region"), max_length=200, blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    policy = models.CharField(_("policy preset"), max_length=32, choices=Policy.choices)
    is_public = models.BooleanField(_("listed publicly"), default=True)

    estimate_window_minutes = models.PositiveIntegerField(
        _("estimate window (minutes)"), default=120
    )
    member_response_minutes = models.PositiveIntegerField(
        _("member response window (minutes)"), default=60
    )
    reminder_before_minutes = models.PositiveIntegerField(
        _("reminder before the estimate is due (minutes)"), default=30
    )
    # Rodan21's consultation promises, in business days (working days on the network's
    # clock): the interview after submission, the planning meeting after the interview,
    # the estimate after the phases are chosen.
    interview_within_days = models.PositiveSmallIntegerField(
        _("interview within (business days)"), default=3
    )
    planning_within_days = models.PositiveSmallIntegerField(
        _("planning meeting within (business days after the interview)"), default=5
    )
    estimate_after_planning_days = models.PositiveSmallIntegerField(
        _("estimate within (business days after the planning meeting)"), default=3
    )
    key_in_backdate_hours = models.PositiveIntegerField(
        _("oldest arrival the office may key in (hours ago)"),
        default=72,
        help_text=_(
            "A request that came by fax, phone or e-mail is keyed in with the time it arrived, "
            "and its estimate clock runs from then; an arrival longer ago than this is refused."
        ),
    )
    triage_window_days = models.PositiveSmallIntegerField(
        _("office triage window (working days)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "A request no member firm covers waits this long for the office to correct it, "
            "invite firms by hand or close it; then it closes as no bid."
        ),
    )
    use_business_hours = models.BooleanField(
        _("count windows in business hours"),
        default=False,
        help_text=_("Windows run only on working days and hours, skipping holidays."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Tokyo", validators=[validate_time_zone]
    )
    business_day_start = models.TimeField(_("working day starts"), default=datetime.time(9, 0))
    business_day_end = models.TimeField(_("working day ends"), default=datetime.time(18, 0))
    working_weekdays = models.JSONField(
        _("working weekdays"), default=default_working_weekdays, validators=[validate_weekdays]
    )

    office_fee_bps = models.PositiveIntegerField(
        _("office fee (basis points)"),
        default=500,
        validators=[MaxValueValidator(10_000)],
        help_text=_("Share of each payment kept by the network office; 100 basis points = 1%."),
    )
    nda_required = models.BooleanField(_("NDA required for confidential requests"), default=False)
    nda_version = models.CharField(_("current NDA version"), max_length=50, blank=True)
    admin_decision_rule = models.CharField(
        _("administrative board rule"),
        max_length=16,
        choices=DecisionRule.choices,
        default=DecisionRule.ANY,
    )
    office_may_designate_urgent = models.BooleanField(
        _("office may designate the leader in urgent cases"), default=True
    )
    designate_on_breach = models.BooleanField(
        _("designate the best 'can do' member when the estimate deadline is breached"),
        default=False,
    )

    invoice_issuer_name = models.CharField(_("invoice issuer"), max_length=200, blank=True)
    invoice_payment_days = models.PositiveSmallIntegerField(
        _("days to pay an invoice"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("An invoice is due this many days after the day it is issued."),
    )
    invoice_issuer_address = models.CharField(
        _("invoice issuer address"), max_length=300, blank=True
    )
    invoice_registration_number = models.CharField(
        _("qualified-invoice registration number"),
        max_length=14,
        blank=True,
        validators=[qualified_invoice_number_validator],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        constraints = [
            models.CheckConstraint(
                condition=Q(estimate_window_minutes__gt=0), name="network_estimate_window_positive"
            ),
            models.CheckConstraint(
                condition=Q(member_response_minutes__gt=0)
                & Q(member_response_minutes__lte=F("estimate_window_minutes")),
                name="network_response_within_estimate_window",
            ),
            models.CheckConstraint(
                condition=Q(reminder_before_minutes__lt=F("estimate_window_minutes")),
                name="network_reminder_within_estimate_window",
            ),
            models.CheckConstraint(
                condition=Q(office_fee_bps__lte=10_000), name="network_fee_at_most_whole"
            ),
            models.CheckConstraint(
                condition=Q(business_day_start__lt=F("business_day_end")),
                name="network_business_day_ordered",
            ),
            models.CheckConstraint(
                condition=Q(invoice_payment_days__gte=1) & Q(invoice_payment_days__lte=365),
                name="network_invoice_payment_days_range",
            ),
            models.CheckConstraint(
                condition=Q(triage_window_days__gte=1) & Q(triage_window_days__lte=30),
                name="network_triage_window_days_range",
            ),
            models.CheckConstraint(
                condition=Q(invoice_registration_number="")
                | Q(invoice_registration_number__regex=r"^T[0-9]{13}$"),
                name="network_invoice_number_format",
            ),
        ]

    @property
    def description(self) -> str:
        from django.utils import translation

        if (translation.get_language() or "ja").startswith("en"):
            return self.description_en or self.description_ja
        return self.description_ja or self.description_en

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class NetworkClosingDay(models.Model):
    """A day the network's office is closed (Obon, the year-end), which its business-hours
    clock does not count; the national holidays come from the country's calendar."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="closing_days")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("closing day")
        verbose_name_plural = _("closing days")
        constraints = [
            models.UniqueConstraint(fields=["network", "date"], name="closing_day_once_per_network")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class NetworkGroup(BilingualNameMixin, models.Model):
    """A coordinator firm's group of firms, competing for orders with the other groups."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="groups")
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    coordinator = models.ForeignKey(
        "Firm", on_delete=models.PROTECT, related_name="coordinated_groups"
    )

    class Meta:
        ordering = ["network", "name_en"]
        verbose_name = _("coordinator group")
        verbose_name_plural = _("coordinator groups")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "coordinator"], name="group_one_per_coordinator"
            )
        ]


class Firm(BilingualNameMixin, models.Model):
    """A small or midsize manufacturer (or the firm running a network office)."""

    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    prefecture = models.CharField(_("prefecture"), max_length=2, choices=Prefecture.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    founded_year = models.PositiveSmallIntegerField(_("founded"), null=True, blank=True)
    profile_ja = models.TextField(_("public profile (Japanese)"), blank=True)
    profile_en = models.TextField(_("public profile (English)"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    webhook_url = models.URLField(_("webhook URL"), blank=True)
    webhook_secret = models.CharField(
        _("webhook signing secret"),
        max_length=64,
        blank=True,
        help_text=_("Each webhook body is signed with HMAC-SHA256 of this secret."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The firm's own searchable text in lower case, one field a line (so that a search
    # never matches across two fields): the directory's substring search reads this one
    # column instead of folding the case of five for every firm.
    search_text = models.GeneratedField(
        expression=Lower(
            Concat(
                "name_ja",
                Value("\n"),
                "name_en",
                Value("\n"),
                "city",
                Value("\n"),
                "profile_ja",
                Value("\n"),
                "profile_en",
                output_field=models.TextField(),
            )
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("firm")
        verbose_name_plural = _("firms")
        constraints = [
            models.CheckConstraint(
                condition=Q(founded_year__isnull=True) | Q(founded_year__gte=1600),
                name="firm_founded_year_plausible",
            )
        ]
        # On PostgreSQL the directory lists firms through indexes on their names and the
        # networks listing them, kept by the database (members/migrations/0006).


class Membership(models.Model):
    """A firm's place in a network: its role, its group and its NDA.

    Both sides agree before a membership is active: the network's office invites and the
    firm's own people accept, or the firm applies and the office approves. `is_active`
    is true exactly when the status is active, which needs both agreements (the database
    checks it), so every selector that filters on `is_active` sees only agreed members.
    """

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited by the office, awaiting the firm")
        APPLIED = "applied", _("Applied by the firm, awaiting the office")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        ENDED = "ended", _("Ended")

    class Role(models.TextChoices):
        OFFICE = "office", _("Network office")
        COORDINATOR = "coordinator", _("Coordinator")
        ADMINISTRATIVE = "administrative", _("Administrative member")
        STAKEHOLDER = "stakeholder", _("Stakeholder")
        MEMBER = "member", _("Member")
        MEMBER_CLUSTER = "member_cluster", _("Member cluster")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    group = models.ForeignKey(
        NetworkGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("coordinator group"),
    )
    nda_signed_at = models.DateTimeField(_("NDA signed at"), null=True, blank=True)
    nda_version = models.CharField(_("NDA version signed"), max_length=50, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.INVITED
    )
    is_active = models.BooleanField(_("active"), default=False)
    # The network's side (an invitation, or the approval of an application) and the
    # firm's side (an application, or the acceptance of an invitation). Empty "by" with a
    # time: the platform itself (the demo data, a command).
    network_agreed_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    network_agreed_at = models.DateTimeField(_("agreed by the network at"), null=True, blank=True)
    firm_agreed_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    firm_agreed_at = models.DateTimeField(_("agreed by the firm at"), null=True, blank=True)

    class Meta:
        ordering = ["network", "firm__name_en"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["network", "firm"], name="membership_once_per_network"),
            models.CheckConstraint(
                condition=Q(status="active", is_active=True)
                | (~Q(status="active") & Q(is_active=False)),
                name="membership_active_is_status_active",
            ),
            models.CheckConstraint(
                condition=~Q(status="active")
                | Q(network_agreed_at__isnull=False, firm_agreed_at__isnull=False),
                name="membership_active_needs_both_sides",
            ),
            models.CheckConstraint(
                condition=~Q(status="invited") | Q(network_agreed_at__isnull=False),
                name="membership_invited_by_network",
            ),
            models.CheckConstraint(
                condition=~Q(status="applied") | Q(firm_agreed_at__isnull=False),
                name="membership_applied_by_firm",
            ),
            models.CheckConstraint(
                condition=Q(nda_signed_at__isnull=True) | ~Q(nda_version=""),
                name="membership_nda_has_version",
            ),
        ]
        indexes = [models.Index(fields=["network", "role"])]

    def __str__(self) -> str:
        return f"{self.firm} @ {self.network} ({self.get_role_display()})"

    @property
    def has_signed_nda(self) -> bool:
        return self.nda_signed_at is not None


class NdaSignature(models.Model):
    """Who signed which version of a network's NDA for a firm, and when."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="nda_signatures"
    )
    version = models.CharField(_("version"), max_length=50)
    signed_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="nda_signatures")
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("NDA signature")
        verbose_name_plural = _("NDA signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "version"], name="nda_signed_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership} v{self.version}"


class MembershipHistoryError(RuntimeError):
    """A membership change was about to be edited or deleted."""


class MembershipChangeQuerySet(models.QuerySet):
    """Refuse bulk updates and deletes: the history of who may do what is append-only."""

    def update(self, **kwargs):
        raise MembershipHistoryError("Membership changes are append-only.")

    def delete(self):
        raise MembershipHistoryError("Membership changes are append-only.")


def change_time() -> datetime.datetime:
    """Return now, looked up at each call so that a simulated clock (the replay) applies."""
    return timezone.now()


class MembershipChange(models.Model):
    """Who changed a firm's place in a network (joined, role, group, activity, NDA), and when.

    The audit trail of permissions: a role decides what a firm's people may see and do.
    Append-only: the model refuses edits and deletes and, on PostgreSQL, a trigger
    (migration 0003) refuses them whoever connects. Shown to the network's office.
    """

    class Kind(models.TextChoices):
        JOINED = "joined", _("Joined the network")
        INVITED = "invited", _("Invited by the office")
        APPLIED = "applied", _("Applied to join")
        ACCEPTED = "accepted", _("Accepted the invitation")
        APPROVED = "approved", _("Application approved")
        DECLINED = "declined", _("Declined")
        CHANGED = "changed", _("Role, group or activity changed")
        NDA_SIGNED = "nda_signed", _("NDA signed")

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="membership_changes"
    )
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="changes")
    actor = models.ForeignKey(
        "User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when a command or the platform made the change."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=change_time, db_index=True)

    objects = MembershipChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("membership change")
        verbose_name_plural = _("membership changes")
        indexes = [models.Index(fields=["network", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} #{self.membership_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise MembershipHistoryError(f"Membership change #{self.pk} is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise MembershipHistoryError(f"Membership change #{self.pk} is append-only.")


class User(AbstractUser):
    """A person: a member firm's or an office's staff, or a customer."""

    class CustomerType(models.TextChoices):
        COMPANY = "company", _("Company R&D division")
        UNIVERSITY = "university", _("University or research institute")
        PRIVATE = "private", _("Private person")

    class Language(models.TextChoices):
        JA = "ja", "日本語"
        EN = "en", "English"

    firm = models.ForeignKey(
        Firm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("firm"),
        help_text=_("Empty for customers."),
    )
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    customer_type = models.CharField(
        _("customer type"), max_length=16, choices=CustomerType.choices, blank=True
    )
    sms_number = PhoneNumberField(
        _("cell phone for SMS"), blank=True, validators=[validate_sms_number]
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.JA
    )
    notify_by_email = models.BooleanField(_("notify by e-mail"), default=True)
    notify_by_sms = models.BooleanField(_("notify by SMS"), default=False)

    class Meta(AbstractUser.Meta):
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=Q(firm__isnull=True) | Q(customer_type=""),
                name="user_firm_staff_is_not_a_customer",
            )
        ]

    @property
    def is_customer(self) -> bool:
        return self.firm_id is None and not self.is_staff

    def get_full_name(self) -> str:
        """Return the person's name in the order of the language it is written in.

        A name in Japanese script is family name first (藤原 智也), as Japanese writes it
        on any page; any other is given name first (Emily Carter). The order belongs to the
        name, not to the page's or the person's chosen language.
        """
        given, family = self.first_name.strip(), self.last_name.strip()
        if JAPANESE_SCRIPT.search(given + family):
            return f"{family} {given}".strip()
        return f"{given} {family}".strip()

    @property
    def display_name(self) -> str:
        """Return how the person is named wherever a page or message shows them."""
        return self.get_full_name() or self.get_username()


class Notification(models.Model):
    """One message to one person on one channel about one subject: sent at most once.

    The row is written in the same transaction as the change it reports (an outbox), so
    a broker that is down delays a notification but never loses it.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        IN_APP = "in_app", _("In-app")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    firm = models.ForeignKey(
        Firm,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For webhooks, which go to a firm rather than a person."),
    )
    kind = models.CharField(_("kind"), max_length=50)
    subject_type = models.CharField(max_length=20)
    subject_id = models.PositiveBigIntegerField()
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(max_length=300, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        db_table = "brokerage_notification"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_type", "subject_id", "channel"],
                condition=Q(recipient__isnull=False),
                name="notification_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["firm", "kind", "subject_type", "subject_id", "channel"],
                condition=Q(recipient__isnull=True),
                name="notification_once_per_firm",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | Q(firm__isnull=False),
                name="notification_has_addressee",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="notification_pending",
            ),
            models.Index(fields=["recipient", "channel", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id or self.firm_id} ({self.channel})"


class NotificationPreferences(models.Model):
    """Which kinds of notice reach a person on which channel, and their quiet hours.

    A topic the person has not chosen for reaches them as their profile's defaults say
    (in-app, plus e-mail and SMS if they ticked them). Urgent notices reach them in the
    app and by SMS whatever they chose, and are not held for quiet hours; other e-mail and
    SMS notices wait until quiet hours end (in their network's zone).
    """

    class Topic(models.TextChoices):
        REQUESTS = "requests", _("Requests and invitations")
        ESTIMATES = "estimates", _("Estimates")
        DEADLINES = "deadlines", _("Deadlines and reminders")
        MESSAGES = "messages", _("Messages")
        ORDERS = "orders", _("Orders, teams and deliveries")
        MONEY = "money", _("Invoices, payments, payouts and bank accounts")
        MEMBERSHIPS = "memberships", _("Memberships")

    person = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preferences",
    )
    # {topic: [channel, …]} for the topics the person chose.
    channels = models.JSONField(default=dict, blank=True)
    quiet_hours_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("quiet hours until"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_hours_start__isnull=True, quiet_hours_end__isnull=True)
                | Q(quiet_hours_start__isnull=False, quiet_hours_end__isnull=False),
                name="notification_quiet_hours_both_or_neither",
            )
        ]

    def __str__(self) -> str:
        return f"notification preferences of {self.person_id}"
