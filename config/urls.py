from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from organisations import views as organisation_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", organisation_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", organisation_views.language_set, name="language_set"),
    path("", include("cases.urls")),
    path("", include("evidence.urls")),
    path("workload/", include("workload.urls")),
    path("audit/", include("organisations.trail_urls")),
    path("account/", include("accounts.urls")),
]
