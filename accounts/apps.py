from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # The audit trail's authentication events (``accounts.signals``).
        from accounts import signals  # noqa: F401
