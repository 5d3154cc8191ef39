from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("preferences/", views.preferences, name="preferences"),
    path("language/", views.set_language, name="set_language"),
]
