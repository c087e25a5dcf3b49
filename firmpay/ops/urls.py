from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from firmpay.ops.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    # Pages name their icon; this is for whatever asks the old way (every 404 is noise).
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("img/favicon.svg"), permanent=True),
        name="favicon",
    ),
]
