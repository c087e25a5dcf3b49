"""The app serves its own collected static files: `make run` and the Procfile put gunicorn
alone in front of Django, so without this every page loads without CSS or htmx."""

from django.core.management import call_command
from django.test import Client, override_settings


def test_collected_css_and_htmx_are_served_with_debug_off(tmp_path):
    with override_settings(DEBUG=False, STATIC_ROOT=tmp_path):
        call_command("collectstatic", "--noinput", verbosity=0)
        client = Client()
        css = client.get("/static/css/firmpay.css")
        htmx = client.get("/static/vendor/htmx.min.js")

    assert css.status_code == 200
    assert css["Content-Type"].startswith("text/css")
    assert htmx.status_code == 200
