from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("complaints/", views.complaint_list, name="list"),
    path("complaints/new/", views.complaint_create, name="create"),
    path("complaints/<int:pk>/", views.complaint_detail, name="detail"),
    path("complaints/<int:pk>/complaint.pdf", views.complaint_pdf, name="pdf"),
    path("complaints/<int:pk>/complaint.txt", views.complaint_text, name="text"),
]
