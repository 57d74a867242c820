from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("federation/", views.dashboard, name="dashboard"),
    path("federation/releases/", views.release_publish, name="release-publish"),
    path("federation/releases/preview/", views.release_preview, name="release-preview"),
    path("sharing/", views.sharing, name="sharing"),
    path("open-data/", views.open_data, name="open-data"),
    path("open-data/<slug:federation_slug>/releases/", views.release_index, name="releases"),
    path(
        "open-data/<slug:federation_slug>/releases/<int:version>/",
        views.release_page,
        name="release",
    ),
    path(
        "open-data/<slug:federation_slug>/releases/<int:version>/release.json",
        views.release_json,
        name="release-json",
    ),
    path(
        "open-data/<slug:federation_slug>/releases/<int:version>/release.csv",
        views.release_csv,
        name="release-csv",
    ),
    path(
        "open-data/<slug:federation_slug>/releases/<int:version>/release-excel-be.csv",
        views.release_csv_excel,
        name="release-csv-be",
    ),
]
