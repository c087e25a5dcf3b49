from django.urls import path

from firmpay.integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.integrations_index, name="index"),
]
