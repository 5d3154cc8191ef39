from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from vosportal.health import healthz

# The Django admin has no login page of its own: it sends people through allauth,
# so rate limits and MFA apply there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("audit/", include("accounts.audit_urls")),
    path("", include("accounts.urls")),
    path("", include("accounts.users_urls")),
    path("", include("accounts.customer_urls")),
    path("", include("telephony.urls")),
    path("", include("billing.urls")),
    path("", include("billing.money_urls")),
    path("", include("billing.cdr_urls")),
    path("", include("billing.pull_urls")),
    path("", include("billing.report_urls")),
    path("", include("telephony.gateway_urls")),
    path("", include("telephony.live_urls")),
    path("", include("telephony.console_urls")),
    path("", include("accounts.alert_urls")),
    path("", include("billing.console_urls")),
]

handler500 = "vosportal.errors.server_error"
