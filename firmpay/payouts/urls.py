from django.urls import path

from firmpay.payouts import views

app_name = "payouts"

urlpatterns = [
    path("", views.payout_list, name="list"),
    path("<int:payout_id>/", views.payout_detail, name="detail"),
]
