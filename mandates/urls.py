from django.urls import path

from . import views

app_name = "mandates"
urlpatterns = [
    path("persons/<int:person_pk>/mandates/new/", views.mandate_create_view, name="create"),
    path("mandates/<int:pk>/form/", views.mandate_form_print, name="print"),
    path("mandates/<int:pk>/form.pdf", views.mandate_form_pdf, name="pdf"),
    path("mandates/<int:pk>/revoke/", views.mandate_revoke_view, name="revoke"),
    path("mandates/<int:pk>/receipt/", views.mandate_revocation_receipt, name="receipt"),
    path("lookup/mandate/", views.mandate_check_json, name="check_json"),
]
