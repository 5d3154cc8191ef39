from django.apps import AppConfig


class TelephonyConfig(AppConfig):
    name = "telephony"
    verbose_name = "Telephony"

    def ready(self):
        from accounts.models import tenant_moved

        tenant_moved.connect(_carry_live_paths, dispatch_uid="telephony-carry-live-paths")


def _carry_live_paths(sender, old_path: str, new_path: str, **kwargs):
    """The live snapshots copy owners' paths for scoped queries: they follow a move."""
    from telephony.live import state as live_state

    live_state.move_tenant_paths(old_path, new_path)
