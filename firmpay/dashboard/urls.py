from django.urls import path

from firmpay.dashboard import views

app_name = "dashboard"

urlpatterns = [path("", views.dashboard, name="dashboard")]
