"""The payments list filters and the online payment settings form render like every other form:
labels without Django's colon, each error inside its field's wrapper."""

import pytest


@pytest.fixture
def signed_in(client, firm):
    client.force_login(firm.owner)
    return client


def test_payments_filter_labels_have_no_colon(signed_in):
    page = signed_in.get("/payments/").content.decode()
    assert '<label for="id_status">Status</label>' in page
    assert '<label for="id_method">Method</label>' in page
    assert "Status:" not in page and "Method:" not in page


def test_settings_errors_sit_inside_their_field(signed_in):
    response = signed_in.post(
        "/payments/settings/", {"allow_partial": "on", "partial_minimum": "x"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<div class="field field-partial_minimum">' in page
    field = page.split('<div class="field field-partial_minimum">')[1].split("</div>")[0]
    assert 'class="errorlist' in field
    assert 'aria-describedby="id_partial_minimum_helptext' in field
    assert '<span class="helptext" id="id_partial_minimum_helptext">' in field
    assert "<p>" not in page.split('<form method="post" class="card">')[1].split("</form>")[0]
    assert "):</label>" not in page and "invoices):" not in page
