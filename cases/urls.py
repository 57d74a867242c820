from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.today, name="today"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("entries/<int:pk>/receipt/", views.entry_receipt, name="entry_receipt"),
    path("entries/undo/", views.entry_undo, name="entry_undo"),
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/new/", views.incident_create, name="incident_create"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident_edit"),
    path("persons/", views.person_list, name="person_list"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/export.json", views.person_export_json, name="person_export_json"),
    path("persons/<int:pk>/export.pdf", views.person_export_pdf, name="person_export_pdf"),
    path("persons/<int:pk>/erase/", views.person_erase_view, name="person_erase"),
    path("lookup/institutions/", views.institutions_json, name="institutions_json"),
    path("lookup/persons/", views.persons_json, name="persons_json"),
    path("lookup/scan/", views.scan_json, name="scan_json"),
]
