from django.urls import path

from firmpay.helpdesk import views

app_name = "helpdesk"

urlpatterns = [
    path("", views.help_panel, name="panel"),
    path("send/", views.help_send, name="send"),
    path("badge/", views.help_badge, name="badge"),
    path("close/", views.help_close, name="close"),
    path("c/<int:conversation_id>/thread/", views.help_thread, name="thread"),
]
