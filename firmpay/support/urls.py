from django.urls import path

from firmpay.support import views

app_name = "support"

urlpatterns = [
    path("", views.support_index, name="index"),
    path("firms/<int:firm_id>/", views.support_firm, name="firm"),
    path(
        "firms/<int:firm_id>/accounts/<int:account_id>/disconnect/",
        views.support_account_disconnect,
        name="account_disconnect",
    ),
]
