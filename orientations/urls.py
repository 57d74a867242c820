from django.urls import path

from . import views

app_name = "orientations"
urlpatterns = [
    path("entries/<int:pk>/orient/", views.orientation_create, name="create"),
    path("orientations/", views.orientation_list, name="list"),
    # The receiving service's page: the signed link is its only key.
    path("orientations/answer/<str:token>/", views.orientation_answer, name="answer"),
]
