from django.urls import path

from api import views
from api.v1 import api

urlpatterns = [
    path("settings/api-keys/", views.api_key_list, name="api_key_list"),
    path("settings/api-keys/<int:key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("api/v1/docs/", views.api_docs, name="api_docs"),
    path("api/v1/", api.urls),
]
