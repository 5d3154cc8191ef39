from django.urls import path

from accounts import tenant_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("preferences/", views.preferences, name="preferences"),
    path("language/", views.set_language, name="set_language"),
    path("tenants/", tenant_views.tenant_list, name="tenant_list"),
    path("tenants/link/", tenant_views.tenant_link, name="tenant_link"),
    path("tenants/<int:tenant_id>/", tenant_views.tenant_detail, name="tenant_detail"),
    path("view-as/<int:user_id>/", tenant_views.view_as_start, name="view_as_start"),
    path("view-as/stop/", tenant_views.view_as_stop, name="view_as_stop"),
]
