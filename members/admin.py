from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from members.models import (
    Firm,
    Membership,
    NdaSignature,
    Network,
    NetworkClosingDay,
    NetworkGroup,
    Notification,
    NotificationPreferences,
    User,
)


class NetworkClosingDayInline(admin.TabularInline):
    model = NetworkClosingDay
    extra = 0


class NetworkGroupInline(admin.TabularInline):
    model = NetworkGroup
    extra = 0
    autocomplete_fields = ["coordinator"]


# Who agreed to a membership is written only by the invitation and application services
# (members.services): the admin shows it and never makes a membership active by itself.
MEMBERSHIP_AGREEMENT_FIELDS = [
    "status",
    "is_active",
    "network_agreed_by",
    "network_agreed_at",
    "firm_agreed_by",
    "firm_agreed_at",
]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["firm", "network", "role", "group", "nda_signed_at", "nda_version", "status"]
    readonly_fields = ["status"]
    autocomplete_fields = ["firm", "network"]
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_ja", "name_en", "policy", "estimate_window_minutes", "region"]
    list_filter = ["policy", "use_business_hours", "nda_required"]
    search_fields = ["slug", "name_ja", "name_en", "region"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [NetworkGroupInline, NetworkClosingDayInline]
    fieldsets = [
        (None, {"fields": ["slug", "name_ja", "name_en", "region", "is_public"]}),
        (_("Description"), {"fields": ["description_ja", "description_en"]}),
        (
            _("Policy"),
            {
                "fields": [
                    "policy",
                    "admin_decision_rule",
                    "office_may_designate_urgent",
                    "designate_on_breach",
                    "nda_required",
                    "nda_version",
                ]
            },
        ),
        (
            _("Estimate clock"),
            {
                "fields": [
                    "estimate_window_minutes",
                    "member_response_minutes",
                    "reminder_before_minutes",
                    "triage_window_days",
                    "interview_within_days",
                    "planning_within_days",
                    "estimate_after_planning_days",
                    "use_business_hours",
                    "time_zone",
                    "business_day_start",
                    "business_day_end",
                    "working_weekdays",
                ]
            },
        ),
        (
            _("Money and invoices"),
            {
                "fields": [
                    "office_fee_bps",
                    "invoice_issuer_name",
                    "invoice_issuer_address",
                    "invoice_registration_number",
                    "invoice_payment_days",
                ]
            },
        ),
    ]


@admin.register(Firm)
class FirmAdmin(admin.ModelAdmin):
    list_display = ["name_ja", "name_en", "prefecture", "city", "employees", "is_active"]
    list_filter = ["prefecture", "is_active", "memberships__network"]
    search_fields = ["name_ja", "name_en", "city", "profile_ja", "profile_en"]
    inlines = [MembershipInline]


class NdaSignatureInline(admin.TabularInline):
    model = NdaSignature
    extra = 0
    autocomplete_fields = ["signed_by"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["firm", "network", "role", "group", "nda_signed_at", "status"]
    list_filter = ["network", "role", "status"]
    search_fields = ["firm__name_ja", "firm__name_en", "network__slug"]
    autocomplete_fields = ["firm", "network", "group"]
    list_select_related = ["firm", "network", "group"]
    readonly_fields = MEMBERSHIP_AGREEMENT_FIELDS
    inlines = [NdaSignatureInline]

    def has_add_permission(self, request) -> bool:
        # A firm joins by invitation and acceptance, or application and approval.
        return False


@admin.register(NetworkGroup)
class NetworkGroupAdmin(admin.ModelAdmin):
    list_display = ["name_ja", "name_en", "network", "coordinator"]
    list_filter = ["network"]
    search_fields = ["name_ja", "name_en", "coordinator__name_ja", "coordinator__name_en"]
    autocomplete_fields = ["coordinator"]


class NotificationPreferencesInline(admin.StackedInline):
    model = NotificationPreferences
    extra = 0
    max_num = 1


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "firm", "customer_type"]
    list_filter = [
        "is_staff",
        "is_active",
        "customer_type",
        "language",
        "firm__memberships__network",
    ]
    search_fields = [
        "username",
        "email",
        "first_name",
        "last_name",
        "organization",
        "firm__name_ja",
    ]
    autocomplete_fields = ["firm"]
    list_select_related = ["firm"]
    inlines = [NotificationPreferencesInline]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (
            _("Firm or customer"),
            {"fields": ["firm", "organization", "customer_type"]},
        ),
        (
            _("Notifications"),
            {"fields": ["language", "sms_number", "notify_by_email", "notify_by_sms"]},
        ),
    ]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Each delivery's state: whether it went, how often it was tried and why it failed."""

    list_display = [
        "kind",
        "recipient",
        "firm",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "created_at",
    ]
    list_filter = ["channel", "status", "kind"]
    search_fields = ["recipient__username", "recipient__email", "title"]
    list_select_related = ["recipient", "firm"]
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request):
        # Notifications are written by the changes they report, never by hand.
        return False
