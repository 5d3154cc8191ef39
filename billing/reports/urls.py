"""URLs of the report pages (policies in billing.reports.pages)."""

from django.urls import path

from billing.reports import views

urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/calls/", views.call_stats, name="report_calls"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/csv/", views.report_csv, name="report_csv"),
]
