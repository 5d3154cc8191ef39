"""CDR pages (policies in billing.cdrs.pages)."""

from django.urls import path

from billing.cdrs import views

urlpatterns = [
    path("cdrs/", views.cdr_search, name="cdr_search"),
    path("customers/<int:tenant_id>/calls/", views.account_calls, name="cdr_account_calls"),
    path("customers/<int:tenant_id>/calls/live/", views.live_calls, name="cdr_live"),
    path("cdrs/export/", views.export_start, name="cdr_export"),
    path("cdrs/exports/<int:pk>/", views.export_status, name="cdr_export_status"),
    path("cdrs/exports/<int:pk>/download/", views.export_download, name="cdr_export_download"),
    path("cdrs/pulls/", views.pulls, name="cdr_pulls"),
    path("cdrs/pulls/<int:server_id>/pull/", views.pull_now, name="cdr_pull_now"),
    path("cdrs/pulls/<int:server_id>/retry/", views.retry_failed, name="cdr_pull_retry"),
]
