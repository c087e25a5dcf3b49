from django.urls import path

from firmpay.payments import views

app_name = "payments"

urlpatterns = [
    path("stripe/", views.stripe_webhook, name="stripe_webhook"),
]
