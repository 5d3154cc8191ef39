"""CDR pull pages (policies in billing.pull_pages)."""

from django.urls import path

from billing import pull_views as views

urlpatterns = [
    path("cdrs/pulls/", views.pulls, name="cdr_pulls"),
    path("cdrs/pulls/<int:server_id>/pull/", views.pull_now, name="cdr_pull_now"),
    path("cdrs/pulls/<int:server_id>/retry/", views.retry_failed, name="cdr_pull_retry"),
]
