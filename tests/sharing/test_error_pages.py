"""Error pages share the service layout and say what to do next."""

import pytest
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


def test_not_found_page_uses_the_service_layout(partnership, client_for):
    response = client_for(partnership.partner).get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "govuk-generic-header" in body and "govuk-footer" in body
    assert "Skip to main content" in body


@pytest.mark.parametrize(
    ("template", "heading"),
    [
        ("400.html", "Sorry, there is a problem with your request"),
        ("403.html", "You cannot do this"),
        ("403_csrf.html", "Your form has expired"),
        ("404.html", "Page not found"),
        ("500.html", "Sorry, there is a problem with the service"),
    ],
)
def test_error_templates_render_without_a_request(template, heading):
    """Django renders 500.html with no request context: the layout must cope."""
    html = render_to_string(template)
    assert heading in html
    assert "govuk-footer" in html


def test_forbidden_page_in_the_layout(partnership, client_for):
    response = client_for(partnership.partner).get("/sharing/accounts/")
    assert response.status_code == 403
    assert b"You cannot do this" in response.content
