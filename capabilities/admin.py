import io

from django.contrib import admin
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from capabilities.csv_exchange import write_taxonomy
from capabilities.models import (
    Capability,
    DirectoryContact,
    FirmCapability,
    FirmCapabilityChange,
    QualityGrade,
    QualityStandard,
)


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_en", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_ja", "name_en", "keywords"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    actions = ["export_csv"]

    @admin.action(description=_("Export the selected capabilities as CSV"))
    def export_csv(self, request, queryset):
        buffer = io.StringIO()
        write_taxonomy(queryset.select_related("parent").order_by("code"), buffer)
        response = HttpResponse(
            buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="capabilities.csv"'
        return response


class QualityGradeInline(admin.TabularInline):
    model = QualityGrade
    extra = 0


@admin.register(QualityStandard)
class QualityStandardAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_en", "issuer"]
    search_fields = ["code", "name_ja", "name_en"]
    filter_horizontal = ["networks", "capabilities"]
    inlines = [QualityGradeInline]


@admin.register(QualityGrade)
class QualityGradeAdmin(admin.ModelAdmin):
    list_display = ["standard", "rank", "code", "name_ja", "name_en"]
    list_filter = ["standard"]
    search_fields = ["code", "name_ja", "name_en", "standard__code"]


@admin.register(FirmCapability)
class FirmCapabilityAdmin(admin.ModelAdmin):
    list_display = ["firm", "capability", "grade", "quality_grade", "since"]
    list_filter = ["capability__kind", "grade", "firm__memberships__network"]
    search_fields = ["firm__name_ja", "firm__name_en", "capability__code", "capability__name_ja"]
    autocomplete_fields = ["firm", "capability", "quality_grade"]
    list_select_related = ["firm", "capability", "quality_grade"]


@admin.register(FirmCapabilityChange)
class FirmCapabilityChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "firm", "capability", "action", "grade_before", "grade_after"]
    list_filter = ["action"]
    search_fields = ["firm__name_ja", "firm__name_en", "capability__code"]
    list_select_related = ["firm", "capability"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DirectoryContact)
class DirectoryContactAdmin(admin.ModelAdmin):
    list_display = ["created_at", "firm", "network", "sender_name", "sender_organization"]
    list_filter = ["network"]
    search_fields = ["sender_name", "sender_email", "sender_organization", "firm__name_ja"]
    list_select_related = ["firm", "network"]
    autocomplete_fields = ["firm", "network", "capability", "sent_by"]
