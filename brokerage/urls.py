from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from brokerage import views
from brokerage.health import healthz, readyz
from brokerage.pages.language import LanguageRememberingLoginView, language_switch
from brokerage.throttles import LoginThrottle, throttled

# A lost database connection anywhere in a request is a retryable 503, not a 500.
handler500 = "brokerage.outages.server_error"
handler404 = "brokerage.api.errors.page_not_found"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("favicon.ico", views.favicon, name="favicon"),
    # Logging in switches to the language of the person's profile; switching saves it there.
    path(
        "login/",
        throttled(LoginThrottle)(LanguageRememberingLoginView.as_view()),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", language_switch, name="set_language"),
    path("admin/login/", throttled(LoginThrottle)(admin.site.login), name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the page needs no inline script
    # and the content security policy holds on it too.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path("api/", include("brokerage.api.urls")),
    path("", include("members.urls")),
    path("", include("capabilities.urls")),
    path("", include("brokerage.page_urls")),
]
