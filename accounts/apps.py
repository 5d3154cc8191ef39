from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # Registers the system checks and the login-time / deactivation signal handlers,
        # and the audit trail's authentication events (``accounts.signals``).
        from accounts import checks, sessions, signals  # noqa: F401
