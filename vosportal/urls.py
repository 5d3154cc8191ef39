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
    path("audit/", include("accounts.audit_trail.urls")),
    path("", include("dashboard.urls")),
    path("", include("accounts.users.urls")),
    path("", include("customers.urls")),
    path("", include("telephony.phones.urls")),
    path("", include("telephony.numbers.urls")),
    path("", include("billing.rates.urls")),
    path("", include("billing.money.urls")),
    path("", include("billing.cdrs.urls")),
    path("", include("billing.reports.urls")),
    path("", include("telephony.gateways.urls")),
    path("", include("telephony.live.urls")),
    path("", include("telephony.ivr_media.urls")),
    path("", include("alerts.urls")),
    path("", include("billing.tariffs.urls")),
]

handler500 = "vosportal.errors.server_error"
