from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from brokerage import views
from brokerage.health import healthz
from brokerage.pages.language import LanguageRememberingLoginView, language_switch

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    # Logging in switches to the language of the person's profile; switching saves it there.
    path("login/", LanguageRememberingLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", language_switch, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("brokerage.api.urls")),
    path("", include("members.urls")),
    path("", include("capabilities.urls")),
    path("", include("brokerage.page_urls")),
]
