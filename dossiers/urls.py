from django.urls import path

from . import views

app_name = "dossiers"

urlpatterns = [
    path("federation/incidents/", views.shared_incident_list, name="shared_incident_list"),
    path(
        "federation/incidents/<int:pk>/",
        views.shared_incident_detail,
        name="shared_incident_detail",
    ),
    path("dossiers/", views.dossier_list, name="dossier_list"),
    path("dossiers/new/", views.dossier_create, name="dossier_create"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:pk>/reply/", views.dossier_reply, name="dossier_reply"),
    path("dossiers/<int:pk>/dossier.pdf", views.dossier_export_pdf, name="dossier_export_pdf"),
]
