from django.urls import path

from accounts import views_users

urlpatterns = [
    path("users/", views_users.user_list, name="user_list"),
    path("users/invite/", views_users.user_invite, name="user_invite"),
    path(
        "users/invitations/<int:pk>/revoke/",
        views_users.invitation_revoke,
        name="invitation_revoke",
    ),
    path("users/<int:pk>/deactivate/", views_users.user_deactivate, name="user_deactivate"),
    path("invite/<str:token>/", views_users.invitation_accept, name="invitation_accept"),
]
