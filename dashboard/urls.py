from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("live/dashboard/", views.live_dashboard, name="live_dashboard"),
]
