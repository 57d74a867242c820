from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from . import (
    attempts,
    cases,
    dossiers,
    federation,
    mandates,
    orientations,
    referrals,
    views,
    workload,
)

router = SimpleRouter()
router.register("institutions", referrals.InstitutionViewSet, basename="institution")
router.register("persons", cases.PersonViewSet, basename="person")
router.register(
    "assistance-requests", cases.AssistanceRequestViewSet, basename="assistance-request"
)
router.register("incidents", cases.IncidentSheetViewSet, basename="incident")
router.register("dossiers", dossiers.DossierViewSet, basename="dossier")
router.register("contact-attempts", attempts.ContactAttemptViewSet, basename="contact-attempt")
router.register("orientations", orientations.OrientationViewSet, basename="orientation")
router.register("mandates", mandates.MandateViewSet, basename="mandate")

app_name = "api"

urlpatterns = [
    path("", views.ApiRootApi.as_view(), name="root"),
    path("auth/token/", views.TokenCreateApi.as_view(), name="token"),
    path("auth/logout/", views.TokenLogoutApi.as_view(), name="logout"),
    path("taxonomy/", views.TaxonomyApi.as_view(), name="taxonomy"),
    path("workload/monthly/", workload.WorkloadMonthlyApi.as_view(), name="workload-monthly"),
    path(
        "workload/statements/", workload.WorkloadStatementsApi.as_view(), name="workload-statements"
    ),
    path("workload/recompute/", workload.WorkloadRecomputeApi.as_view(), name="workload-recompute"),
    path("jobs/<int:pk>/", workload.JobDetailApi.as_view(), name="job-detail"),
    path(
        "federation/aggregates/",
        federation.FederationAggregatesApi.as_view(),
        name="federation-aggregates",
    ),
    path(
        "federation/releases/",
        federation.FederationReleasesApi.as_view(),
        name="federation-releases",
    ),
    path("sharing/", federation.SharingListApi.as_view(), name="sharing-list"),
    path(
        "sharing/<slug:federation_slug>/",
        federation.SharingDetailApi.as_view(),
        name="sharing-detail",
    ),
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
