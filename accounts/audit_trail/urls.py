from django.urls import path

from accounts.audit_trail import views as audit_views

urlpatterns = [
    path("audit/", audit_views.audit_list, name="audit_list"),
    path("audit/<int:pk>/", audit_views.audit_detail, name="audit_detail"),
    path("audit/verify/", audit_views.audit_verify, name="audit_verify"),
    path("audit/export/", audit_views.audit_export, name="audit_export"),
    path("audit/export/<int:pk>/", audit_views.audit_export_status, name="audit_export_status"),
    path(
        "audit/export/<int:pk>/download/",
        audit_views.audit_export_download,
        name="audit_export_download",
    ),
]
