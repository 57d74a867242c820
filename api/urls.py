from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("auth/token/", views.TokenCreateApi.as_view(), name="token"),
    path("taxonomy/", views.TaxonomyApi.as_view(), name="taxonomy"),
]
