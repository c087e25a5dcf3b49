from django.urls import path

from firmpay.recurring import views

app_name = "recurring"

urlpatterns = [
    path("", views.schedule_list, name="list"),
    path("new/", views.schedule_create, name="create"),
    path("<int:schedule_id>/", views.schedule_detail, name="detail"),
    path("<int:schedule_id>/edit/", views.schedule_edit, name="edit"),
    path("<int:schedule_id>/pause/", views.schedule_pause, name="pause"),
    path("<int:schedule_id>/resume/", views.schedule_resume, name="resume"),
    path("<int:schedule_id>/end/", views.schedule_end, name="end"),
]
