from django.contrib import admin

from orders.models import RFQ, Drawing, Estimate, EstimateLine, Event, Order, RFQRequirement


class RequirementInline(admin.TabularInline):
    model = RFQRequirement
    extra = 0
    autocomplete_fields = ["capability"]


class DrawingInline(admin.TabularInline):
    model = Drawing
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RFQ)
class RFQAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "network", "customer", "kind", "status", "estimate_due_at"]
    list_filter = ["network", "status", "kind", "channel", "urgency", "confidential"]
    search_fields = ["title", "description", "customer__username", "customer__organization"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["customer", "entered_by", "leader_firm", "follow_on_of"]
    list_select_related = ["network", "customer"]
    readonly_fields = ["status", "submitted_at", "estimate_due_at", "created_at", "updated_at"]
    inlines = [RequirementInline, DrawingInline]


class EstimateLineInline(admin.TabularInline):
    model = EstimateLine
    extra = 0
    autocomplete_fields = ["firm"]


@admin.register(Estimate)
class EstimateAdmin(admin.ModelAdmin):
    list_display = ["rfq", "version", "status", "subtotal", "tax", "total", "valid_until"]
    list_filter = ["status", "rfq__network"]
    search_fields = ["rfq__title"]
    list_select_related = ["rfq"]
    readonly_fields = ["subtotal", "tax", "total", "status", "sent_at", "decided_at"]
    inlines = [EstimateLineInline]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "rfq", "network", "leader_firm", "status", "total", "created_at"]
    list_filter = ["network", "status"]
    search_fields = ["rfq__title", "leader_firm__name_ja", "leader_firm__name_en"]
    list_select_related = ["rfq", "network", "leader_firm"]
    autocomplete_fields = ["rfq", "estimate", "customer", "leader_firm", "follow_on_of"]
    readonly_fields = ["subtotal", "tax", "total"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The audit trail: readable by the office, never edited."""

    list_display = ["at", "kind", "rfq", "order", "actor"]
    list_filter = ["kind"]
    search_fields = ["kind", "rfq__title"]
    list_select_related = ["rfq", "order", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
