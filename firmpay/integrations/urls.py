from django.urls import path

from firmpay.integrations import stripe_views, views

app_name = "integrations"

urlpatterns = [
    path("", views.integrations_index, name="index"),
    # The Stripe card (firmpay/integrations/stripe_views.py)
    path("stripe/card/", stripe_views.stripe_card, name="stripe_card"),
    path("stripe/connect/", stripe_views.stripe_connect, name="stripe_connect"),
    path("stripe/create/", stripe_views.stripe_account_create, name="stripe_create"),
    path("stripe/onboarding/", stripe_views.stripe_onboarding, name="stripe_onboarding"),
    path("stripe/return/", stripe_views.stripe_onboarding_return, name="stripe_return"),
    path("stripe/check/", stripe_views.stripe_status_refresh, name="stripe_status_refresh"),
    path("stripe/manage/", stripe_views.stripe_manage, name="stripe_manage"),
    path("stripe/dashboard/", stripe_views.stripe_dashboard, name="stripe_dashboard"),
    path("stripe/oauth/start/", stripe_views.stripe_oauth_start, name="stripe_oauth_start"),
    path(
        "stripe/oauth/callback/",
        stripe_views.stripe_oauth_callback,
        name="stripe_oauth_callback",
    ),
    path("stripe/disconnect/", stripe_views.stripe_disconnect, name="stripe_disconnect"),
]
