from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("settings/", views.association_settings, name="settings"),
    path("settings/letterhead/", views.association_letterhead, name="letterhead"),
    path("settings/barriers/", views.association_barriers, name="barriers"),
    path("settings/reference-amounts/", views.reference_amounts, name="reference_amounts"),
    path(
        "settings/reference-amounts/<int:pk>/",
        views.reference_amount_edit,
        name="reference_amount_edit",
    ),
    path(
        "settings/reference-amounts/<int:pk>/delete/",
        views.reference_amount_delete_view,
        name="reference_amount_delete",
    ),
]
