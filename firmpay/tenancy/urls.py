from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import path

app_name = "tenancy"


def _todo(request, *args, **kwargs):  # replaced by the tenancy pages
    return HttpResponse("Not built yet", status=501)


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="tenancy/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", _todo, name="signup"),
    path("firms/new/", _todo, name="firm_create"),
    path("firms/switch/", _todo, name="firm_switch"),
    path("settings/firm/", _todo, name="firm_settings"),
    path("settings/members/", _todo, name="members"),
    path("settings/plan/", _todo, name="plan"),
    path("settings/audit/", _todo, name="audit_log"),
]
