from django.urls import path

from accounts.audit_trail import views as audit_views

urlpatterns = [
    path("", audit_views.audit_list, name="audit_list"),
    path("<int:pk>/", audit_views.audit_detail, name="audit_detail"),
    path("export/", audit_views.audit_export, name="audit_export"),
    path("export/<int:pk>/", audit_views.audit_export_status, name="audit_export_status"),
    path(
        "export/<int:pk>/download/",
        audit_views.audit_export_download,
        name="audit_export_download",
    ),
]
