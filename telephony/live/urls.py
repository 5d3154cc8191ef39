"""URLs of this area (policies in telephony.live.pages)."""

from django.urls import path

from switch import push_receiver
from telephony.live import views as live_views

urlpatterns: list = [
    path("live/calls/", live_views.live_calls, name="live_calls"),
    path(
        "live/calls/<int:server_id>/<int:call_id>/disconnect/",
        live_views.live_call_disconnect,
        name="live_call_disconnect",
    ),
    path("live/phones/", live_views.live_phones, name="live_phones"),
    # VOS's section-3 pushes: <push_url> = .../vos/push/<token>/<server name>
    path(
        "vos/push/<str:token>/<slug:server_name>/<str:name>",
        push_receiver.receive,
        name="vos_push",
    ),
]
