from importlib.util import find_spec

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from registry import oidc, two_factor
from registry import views as registry_views

urlpatterns = [
    path("", registry_views.home, name="home"),
    path("accounts/login/", oidc.LoginPage.as_view(), name="login"),
    path("accounts/oidc/login/", oidc.ProviderLogin.as_view(), name="oidc_login"),
    path("accounts/oidc/callback/", oidc.ProviderCallback.as_view(), name="oidc_callback"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor.two_factor, name="two_factor"),
    path("accounts/tokens/", registry_views.api_tokens, name="api_tokens"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", registry_views.healthz, name="healthz"),
    path("", include("registry.urls")),
    path("", include("filings.urls")),
    *[path("", include(f"{app}.urls")) for app in ("grants", "partybuilding", "reporting") if find_spec(f"{app}.urls")],
    path("api/", include(("config.api", "api"), namespace="api")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = admin.site.site_title = "Shequ"
handler400 = "registry.params.bad_request"  # says which parameter was refused (registry/params.py)
