import re

import pytest

PAGES = ["/", "/organizations/", "/cases/", "/dashboard/", "/regions/", "/imports/", "/api/docs/", "/api/redoc/"]


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_and_no_inline_script(world, cast, client_for, path):
    response = client_for(cast.street_a).get(path, follow=True)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    body = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", body), "inline script"
    assert not re.search(r"\son[a-z]+=\"", body), "inline event handler"
    assert "javascript:" not in body
    assert not re.search(r"(src|href)=\"(https?:)?//", body), "asset from another origin"


def test_the_login_page_too(client, db):
    response = client.get("/accounts/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
