from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from organisations import views as organisation_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", organisation_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Where a login lands: the page of the user's role (accounts.navigation.HOMES).
    path("home/", account_views.home, name="home"),
    path("language/", organisation_views.language_set, name="language_set"),
    path("", include("cases.urls")),
    path("", include("attempts.urls")),
    path("", include("complaints.urls")),
    path("", include("orientations.urls")),
    path("", include("mandates.urls")),
    path("", include("evidence.urls")),
    path("", include("dossiers.urls")),
    path("workload/", include("workload.urls")),
    path("audit/", include("organisations.trail_urls")),
    path("account/", include("accounts.urls")),
]

# Pages get the site's own error pages (templates/403.html, 404.html, 500.html); the API
# answers JSON even where no DRF view is reached (an unknown path, a crash).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
