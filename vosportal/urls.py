from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from web.pages import area_modules

# The Django admin has no login page of its own: it sends people through allauth,
# so rate limits and MFA apply there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # Every area's urls.py, found by walking our apps (web.pages.area_modules): a new
    # page needs no line here. No two areas' patterns match the same path
    # (vosportal/tests/test_urls.py), so their order does not matter.
    *(path("", include(module)) for module in area_modules("urls")),
]

handler500 = "vosportal.errors.server_error"
