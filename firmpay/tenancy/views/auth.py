"""Sign up, log in and out, and password reset (Django's views with our forms and templates)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET

from firmpay.tenancy.exceptions import TenancyError
from firmpay.tenancy.forms import (
    EmailLoginForm,
    EmailPasswordResetForm,
    SignupForm,
    TimezoneForm,
)
from firmpay.tenancy.services import user_signup
from firmpay.tenancy.views import redirect_home, session_firm_set


@require_GET
def timezone_field(request):
    """The time zone picker for the country just chosen (sign-up and firm settings)."""
    country = request.GET.get("country", "")
    form = TimezoneForm(initial={"country": country})
    return render(request, "tenancy/_timezone_field.html", {"field": form["timezone"]})


def signup(request):
    if request.user.is_authenticated:
        return redirect_home()
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, firm = user_signup(
                name=data["name"],
                email=data["email"],
                password=data["password"],
                firm_name=data["firm_name"],
                country=data["country"],
                default_currency=data["default_currency"],
                timezone_name=data["timezone"],
                request=request,
            )
        except TenancyError as error:
            form.add_error(error.field, error.message)
        else:
            login(request, user)
            session_firm_set(request, firm)
            messages.success(request, f"Welcome to Firmpay. {firm.name} is ready.")
            return redirect_home()
    return render(request, "tenancy/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    form_class = EmailLoginForm
    template_name = "tenancy/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = EmailPasswordResetForm
    template_name = "tenancy/password_reset.html"
    email_template_name = "tenancy/email/password_reset.txt"
    subject_template_name = "tenancy/email/password_reset_subject.txt"
    success_url = reverse_lazy("tenancy:password_reset_done")

    def form_valid(self, form):
        # Links are built from SITE_URL, never from the request's Host header.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "tenancy/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "tenancy/password_reset_confirm.html"
    success_url = reverse_lazy("tenancy:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "tenancy/password_reset_complete.html"
