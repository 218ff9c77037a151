from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.bilingual import BilingualNameMixin
from members.models import Firm, Network

MIN_GRADE = 1
MAX_GRADE = 5
# The fields of a capability change's details that name an order: shown to the firm and
# its offices only (see `capabilities.selectors.sees_order_links`).
ORDER_DETAILS = ("acquired_through_order_id",)

capability_code_validator = RegexValidator(
    r"^[a-z0-9_]+(\.[a-z0-9_]+)*$",
    _("A code is lower-case words joined by dots, e.g. process.machining.milling."),
)


class Capability(BilingualNameMixin, models.Model):
    """A node of the competency taxonomy, addressed by a stable dotted code."""

    class Kind(models.TextChoices):
        PROCESS = "process", _("Process")
        MATERIAL = "material", _("Material")
        FINISH = "finish", _("Finish")
        EQUIPMENT = "equipment", _("Equipment")
        CERTIFICATION = "cert", _("Certification")
        SERVICE = "service", _("Service")

    code = models.CharField(
        _("code"), max_length=120, unique=True, validators=[capability_code_validator]
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        help_text=_("Words in either language that suggest this capability in a request."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$"),
                name="capability_code_format",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="capability_not_own_parent"
            ),
        ]


class QualityStandard(BilingualNameMixin, models.Model):
    """A graded quality standard, such as the Tsubame polishing technology standards."""

    code = models.SlugField(_("code"), unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    networks = models.ManyToManyField(
        Network, blank=True, related_name="quality_standards", verbose_name=_("networks")
    )
    capabilities = models.ManyToManyField(
        Capability,
        blank=True,
        related_name="quality_standards",
        verbose_name=_("capabilities it grades"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("quality standard")
        verbose_name_plural = _("quality standards")


class QualityGrade(BilingualNameMixin, models.Model):
    """One grade of a quality standard; a higher rank is a higher grade."""

    standard = models.ForeignKey(QualityStandard, on_delete=models.CASCADE, related_name="grades")
    rank = models.PositiveSmallIntegerField(
        _("rank"), validators=[MinValueValidator(MIN_GRADE), MaxValueValidator(MAX_GRADE)]
    )
    code = models.SlugField(_("code"))
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    criteria = models.TextField(_("criteria"), blank=True)

    class Meta:
        ordering = ["standard", "rank"]
        verbose_name = _("quality grade")
        verbose_name_plural = _("quality grades")
        constraints = [
            models.UniqueConstraint(fields=["standard", "rank"], name="grade_rank_unique"),
            models.UniqueConstraint(fields=["standard", "code"], name="grade_code_unique"),
            models.CheckConstraint(
                condition=Q(rank__gte=MIN_GRADE) & Q(rank__lte=MAX_GRADE),
                name="grade_rank_in_range",
            ),
        ]


class FirmCapability(models.Model):
    """A capability a firm has registered, at a grade, within limits."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="capabilities")
    capability = models.ForeignKey(
        Capability, on_delete=models.PROTECT, related_name="firm_capabilities"
    )
    grade = models.PositiveSmallIntegerField(
        _("grade"),
        default=3,
        validators=[MinValueValidator(MIN_GRADE), MaxValueValidator(MAX_GRADE)],
        help_text=_("1 (basic) to 5 (expert)."),
    )
    quality_grade = models.ForeignKey(
        QualityGrade,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quality-standard grade reached"),
    )
    max_part_size_mm = models.PositiveIntegerField(_("max part size (mm)"), null=True, blank=True)
    tolerance_um = models.PositiveIntegerField(_("tolerance (µm)"), null=True, blank=True)
    monthly_capacity = models.PositiveIntegerField(
        _("monthly capacity (pieces)"), null=True, blank=True
    )
    equipment = models.CharField(_("equipment"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    # The order through which the skill was learned. An id, not a foreign key: orders
    # builds on capabilities, never the other way round.
    acquired_through_order_id = models.PositiveBigIntegerField(
        _("acquired through order"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["firm", "capability__code"]
        verbose_name = _("firm capability")
        verbose_name_plural = _("firm capabilities")
        constraints = [
            models.UniqueConstraint(fields=["firm", "capability"], name="firm_capability_once"),
            models.CheckConstraint(
                condition=Q(grade__gte=MIN_GRADE) & Q(grade__lte=MAX_GRADE),
                name="firm_capability_grade_in_range",
            ),
        ]
        indexes = [
            # The matching engine's access path: each requirement is a range scan of one
            # capability's rows at or above a grade, and carrying firm_id in the index
            # lets PostgreSQL answer it from the index alone (see capabilities.matching).
            models.Index(
                fields=["capability", "grade"], include=["firm"], name="firmcap_match_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.firm} · {self.capability.code} ({self.grade})"

    @property
    def visible_order_id(self) -> int | None:
        """The order it was learned through, if the selector said this viewer sees it."""
        return self.acquired_through_order_id if getattr(self, "order_link_shown", False) else None


class FirmCapabilityChange(models.Model):
    """One change to a firm's profile: the record of its skill growth."""

    class Action(models.TextChoices):
        ADDED = "added", _("Added")
        CHANGED = "changed", _("Changed")
        REMOVED = "removed", _("Removed")

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="capability_changes")
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    grade_before = models.PositiveSmallIntegerField(null=True, blank=True)
    grade_after = models.PositiveSmallIntegerField(null=True, blank=True)
    changed_by = models.ForeignKey(
        "members.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order_id = models.PositiveBigIntegerField(_("through order"), null=True, blank=True)
    # What else changed, field by field: {"field": [before, after]}, so that a grade
    # reached in a quality standard or a larger part size shows in the skill growth too.
    details = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("capability change")
        verbose_name_plural = _("capability changes")
        indexes = [models.Index(fields=["firm", "-at"])]

    def __str__(self) -> str:
        return f"{self.firm} {self.action} {self.capability.code}"

    # The selector annotates `order_link_shown` for the viewer; without it, nothing shows.
    @property
    def visible_order_id(self) -> int | None:
        return self.order_id if getattr(self, "order_link_shown", False) else None

    @property
    def visible_details(self) -> dict:
        """The details, without the order's id unless this viewer may see it."""
        if getattr(self, "order_link_shown", False):
            return self.details
        return {
            field: values for field, values in self.details.items() if field not in ORDER_DETAILS
        }


class DirectoryContact(models.Model):
    """A customer's message to a firm sent from the public directory.

    Counted per network so that an office (Migakiya's, above all) can see how much business
    reaches its members directly instead of through the office.
    """

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="directory_contacts")
    network = models.ForeignKey(
        Network,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directory_contacts",
        verbose_name=_("found through network"),
    )
    capability = models.ForeignKey(
        Capability,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("about capability"),
    )
    sender_name = models.CharField(_("name"), max_length=200)
    sender_email = models.EmailField(_("e-mail"))
    sender_organization = models.CharField(_("organization"), max_length=200, blank=True)
    message = models.TextField(_("message"), max_length=5000)
    sent_by = models.ForeignKey(
        "members.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    # Set once the message was e-mailed to the firm, so that a redelivered task does not
    # mail it twice.
    mailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("directory contact")
        verbose_name_plural = _("directory contacts")
        indexes = [
            models.Index(fields=["network", "-created_at"]),
            models.Index(fields=["firm", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.sender_name} → {self.firm}"
