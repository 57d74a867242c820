from django.urls import path

from . import trail

app_name = "audit"

urlpatterns = [
    path("", trail.trail, name="trail"),
]
