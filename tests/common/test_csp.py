"""The Content-Security-Policy middleware (portail/common/csp.py): the header django-csp's own
middleware would send, built once; a response that changes the policy still gets its own."""

import pytest
from csp.constants import NONCE, NONE, SELF
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from portail.common.csp import ContentSecurityPolicyMiddleware


def _headers(middleware_class, decorate=None, **request_attributes):
    request = RequestFactory().get("/compte/connexion/")
    for name, value in request_attributes.items():
        setattr(request, name, value)

    def view(request):
        response = HttpResponse("page")
        if decorate:
            decorate(response)
        return response

    response = middleware_class(view)(request)
    return response.get("Content-Security-Policy"), response.get(
        "Content-Security-Policy-Report-Only"
    )


def _replace_frame_ancestors(response):
    response._csp_replace = {"frame-ancestors": [SELF]}


def _exempt(response):
    response._csp_exempt = True


@pytest.mark.parametrize("decorate", [None, _replace_frame_ancestors, _exempt])
def test_the_header_is_django_csps_own(decorate):
    ours = _headers(ContentSecurityPolicyMiddleware, decorate)
    assert ours == _headers(CSPMiddleware, decorate)
    if decorate is None:
        assert "default-src 'self'" in ours[0] and "frame-ancestors 'none'" in ours[0]
    if decorate is _replace_frame_ancestors:
        assert "frame-ancestors 'self'" in ours[0]
    if decorate is _exempt:
        assert ours[0] is None


def test_a_changed_setting_is_followed(settings):
    _headers(ContentSecurityPolicyMiddleware)  # built with the settings of the start
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [NONE]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": [SELF]}}
    ours = _headers(ContentSecurityPolicyMiddleware)
    assert ours == _headers(CSPMiddleware)
    assert ours[0] == "default-src 'none'" and "img-src 'self'" in ours[1]


def test_a_nonce_asked_for_is_in_the_header(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}
    request = RequestFactory().get("/")

    def view(request):
        return HttpResponse(str(request.csp_nonce))

    response = ContentSecurityPolicyMiddleware(view)(request)
    assert f"'nonce-{response.content.decode()}'" in response["Content-Security-Policy"]
