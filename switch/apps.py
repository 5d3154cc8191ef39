from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

from web.lazy import lazy


class SwitchConfig(AppConfig):
    name = "switch"
    verbose_name = "Switch gate"

    def ready(self):
        # Pages and the push receiver read the servers from the cache: a change forgets
        # them.
        forget = lazy("switch.servers.forget_servers")
        for uid, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(
                forget, sender="switch.VosServer", weak=False, dispatch_uid=f"servers-{uid}"
            )
