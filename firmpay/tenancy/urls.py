from django.contrib.auth import views as auth_views
from django.urls import path

from firmpay.tenancy.views import auth, firms, members

app_name = "tenancy"

urlpatterns = [
    path("signup/", auth.signup, name="signup"),
    path("signup/timezone/", auth.timezone_field, name="timezone_field"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("firms/new/", firms.firm_create, name="firm_create"),
    path("firms/switch/", firms.firm_switch, name="firm_switch"),
    path("settings/firm/", firms.firm_settings, name="firm_settings"),
    path("settings/plan/", firms.plan, name="plan"),
    path("settings/audit/", firms.audit_log, name="audit_log"),
    path("settings/members/", members.members, name="members"),
    path("settings/members/invite/", members.invitation_create, name="invitation_create"),
    path(
        "settings/members/invitations/<int:invitation_id>/revoke/",
        members.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "settings/members/<int:membership_id>/role/",
        members.membership_role,
        name="membership_role",
    ),
    path(
        "settings/members/<int:membership_id>/remove/",
        members.membership_remove,
        name="membership_remove",
    ),
    path("invitations/<str:token>/", members.invitation_accept, name="invitation_accept"),
]
