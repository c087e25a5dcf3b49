"""Mounted at /support/help/ by config/urls.py (beside the support app's /support/)."""

from django.urls import path

from firmpay.helpdesk import support_views

app_name = "helpdesk_support"

urlpatterns = [
    path("", support_views.inbox, name="inbox"),
    path("<int:conversation_id>/", support_views.conversation, name="conversation"),
    path("<int:conversation_id>/thread/", support_views.thread, name="thread"),
    path("<int:conversation_id>/reply/", support_views.reply, name="reply"),
    path("<int:conversation_id>/status/", support_views.status, name="status"),
    path("<int:conversation_id>/disconnect/", support_views.disconnect, name="disconnect"),
]
