from django.urls import path

from firmpay.clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("<int:client_id>/edit/", views.client_edit, name="edit"),
    path("<int:client_id>/archive/", views.client_archive, name="archive"),
    path("<int:client_id>/restore/", views.client_restore, name="restore"),
]
