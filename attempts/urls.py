from django.urls import path

from . import views

app_name = "attempts"
urlpatterns = [
    path("attempts/", views.attempt_create, name="create"),
    path("attempts/<int:pk>/edit/", views.attempt_edit, name="edit"),
    path("attempts/<int:pk>/delete/", views.attempt_delete, name="delete"),
    path("attempts/undo/", views.attempt_undo, name="undo"),
]
