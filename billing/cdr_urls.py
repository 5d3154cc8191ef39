"""CDR pages (policies in billing.cdr_pages)."""

from django.urls import path

from billing import cdr_views as views

urlpatterns = [
    path("cdrs/", views.cdr_search, name="cdr_search"),
    path("customers/<int:tenant_id>/calls/", views.account_calls, name="cdr_account_calls"),
    path("customers/<int:tenant_id>/calls/live/", views.live_calls, name="cdr_live"),
    path("cdrs/export/", views.export_start, name="cdr_export"),
    path("cdrs/exports/<int:pk>/", views.export_status, name="cdr_export_status"),
    path("cdrs/exports/<int:pk>/download/", views.export_download, name="cdr_export_download"),
]
