from django.http import HttpResponse
from django.urls import path

app_name = "clients"


def _todo(request, *args, **kwargs):  # replaced by the clients pages
    return HttpResponse("Not built yet", status=501)


urlpatterns = [path("", _todo, name="list")]
