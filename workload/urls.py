from django.urls import path

from . import views

app_name = "workload"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("monthly/download/", views.monthly_download, name="monthly-download"),
    path("statements/", views.statement_list, name="statements"),
    path("statements/<slug:key>/", views.statement_detail, name="statement"),
    path("exports/", views.export_create, name="export-create"),
    path("imports/", views.import_create, name="import-create"),
    path("imports/template/", views.import_template_download, name="import-template"),
    path("imports/codes/", views.import_codes_download, name="import-codes"),
    path(
        "imports/attempts/template/",
        views.import_attempts_template_download,
        name="import-attempts-template",
    ),
    path(
        "imports/attempts/codes/",
        views.import_attempts_codes_download,
        name="import-attempts-codes",
    ),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/download/", views.job_download, name="job-download"),
]
