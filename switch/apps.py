from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

from web.lazy import lazy


class SwitchConfig(AppConfig):
    name = "switch"
    verbose_name = "Switch gate"

    def ready(self):
        # The push receiver reads the servers from the cache: a change forgets them.
        forget = lazy("switch.push_receiver.forget_push_servers")
        for uid, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(
                forget, sender="switch.VosServer", weak=False, dispatch_uid=f"push-servers-{uid}"
            )
