"""URLs of this area (policies in telephony.ivr_media.pages)."""

from django.urls import path

from telephony.ivr_media import views

_AUDIO = "ivr-media/audio/<int:server_id>/<int:audio_type>/<int:audio_id>/"


urlpatterns: list = [
    path("ivr-media/", views.ivr_audio_list, name="ivr_audio_list"),
    path("ivr-media/audio/new/", views.ivr_audio_create, name="ivr_audio_create"),
    path(_AUDIO, views.ivr_audio_edit, name="ivr_audio_edit"),
    path(_AUDIO + "delete/", views.ivr_audio_delete, name="ivr_audio_delete"),
    path("ivr-media/tools/", views.ivr_tools, name="ivr_tools"),
    path("ivr-media/dtmf/", views.dtmf_rule_list, name="dtmf_rule_list"),
    path("ivr-media/dtmf/new/", views.dtmf_rule_create, name="dtmf_rule_create"),
    path("ivr-media/dtmf/<int:rule_id>/", views.dtmf_rule_edit, name="dtmf_rule_edit"),
    path("ivr-media/dtmf/<int:rule_id>/delete/", views.dtmf_rule_delete, name="dtmf_rule_delete"),
    path("ivr-media/media-block-ips/", views.media_block_list, name="media_block_list"),
    path(
        "ivr-media/media-block-ips/<int:block_id>/unblock/",
        views.media_block_delete,
        name="media_block_delete",
    ),
]
