"""Django admin for the fee rate group grants. Changes made here are audited like those
made on the grants page (the admin is for the platform's staff only)."""

from django.contrib import admin

from accounts import audit
from billing.models import FeeRateGroupGrant


def _groups(tenant) -> list[str]:
    return sorted(FeeRateGroupGrant.objects.filter(tenant=tenant).values_list("group", flat=True))


@admin.register(FeeRateGroupGrant)
class FeeRateGroupGrantAdmin(admin.ModelAdmin):
    list_display = ("tenant", "group", "granted_by", "created_at")
    list_filter = ("group",)
    search_fields = ("tenant__name", "tenant__vos_account", "group")
    raw_id_fields = ("tenant",)
    readonly_fields = ("granted_by", "created_at")

    def save_model(self, request, obj, form, change):
        tenants = {obj.tenant_id: obj.tenant}
        if change:
            old = FeeRateGroupGrant.objects.select_related("tenant").get(pk=obj.pk)
            tenants[old.tenant_id] = old.tenant
        before = {pk: _groups(t) for pk, t in tenants.items()}
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
        for pk, tenant in tenants.items():
            self._record(request, tenant, before[pk])

    def delete_model(self, request, obj):
        before = _groups(obj.tenant)
        super().delete_model(request, obj)
        self._record(request, obj.tenant, before)

    def delete_queryset(self, request, queryset):
        tenants = {g.tenant_id: g.tenant for g in queryset.select_related("tenant")}
        before = {pk: _groups(t) for pk, t in tenants.items()}
        super().delete_queryset(request, queryset)
        for pk, tenant in tenants.items():
            self._record(request, tenant, before[pk])

    def _record(self, request, tenant, before: list[str]) -> None:
        after = _groups(tenant)
        if after != before:
            audit.record(
                "billing.fee_rate_grants",
                scope=getattr(request, "scope", None),
                actor=request.user,
                target=tenant,
                before={"groups": before},
                after={"groups": after},
                payload={"via": "admin"},
            )
