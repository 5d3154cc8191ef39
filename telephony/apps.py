from django.apps import AppConfig

from accounts.events import tenant_moved
from switch import push_handlers
from web.lazy import lazy


class TelephonyConfig(AppConfig):
    name = "telephony"
    verbose_name = "Telephony"

    def ready(self):
        # The live snapshots copy owners' paths for scoped queries: they follow a move.
        tenant_moved.connect(
            lazy("telephony.live.state.follow_tenant_move"),
            weak=False,
            dispatch_uid="telephony-live-moves",
        )
        push_handlers.on_push("PhoneOnline", "telephony.live.state.phone_online")
        push_handlers.on_push("CallStateReport", "telephony.live.state.call_state")
        push_handlers.on_push("AlarmCurrentReport", "telephony.live.state.alarm_list_pushed")
        # VOS waits on the DTMF menu pushes: the rule table answers them at once.
        for name in ("PushDtmfInfo", "PushDtmfInfos"):
            push_handlers.answer_push(name, "telephony.ivr_media.dtmf.answer")
