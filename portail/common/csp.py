"""The Content-Security-Policy header (settings.CONTENT_SECURITY_POLICY): django-csp's middleware,
with the settings' policy built once per process instead of twice per response.

django-csp builds the policy and the report-only policy from the settings for every response
(a deep copy and a string join each); nearly every page sends the settings' policy unchanged.
Here a response that nothing changed (no ``csp_update``/``csp_replace``/``csp_exempt``
decorator, no nonce asked for) gets the same header from a string built at its first use;
any other response, and any response while DEBUG, is left to django-csp itself. The string
is built again when a setting changes (the tests' ``override_settings``)."""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed

_BUILT: dict[bool, str] = {}
_SETTINGS = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY", "DEBUG")


def _forget(*, setting: str, **kwargs) -> None:
    if setting in _SETTINGS:
        _BUILT.clear()


setting_changed.connect(_forget, dispatch_uid="portail.common.csp")


def _settings_policy(report_only: bool) -> str:
    if report_only not in _BUILT:
        _BUILT[report_only] = build_policy(report_only=report_only)
    return _BUILT[report_only]


def _excluded(path: str, setting: str) -> bool:
    policy = getattr(settings, setting, None) or {}
    return path.startswith(tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ()))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's CSPMiddleware; the settings' policy is built once (module docstring)."""

    def process_response(self, request, response):
        plain = not settings.DEBUG and all(
            self.get_policy_parts(request=request, response=response, report_only=report_only)
            == PolicyParts()
            for report_only in (False, True)
        )
        if not plain:
            return super().process_response(request, response)
        for report_only, header, setting in (
            (False, HEADER, "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = _settings_policy(report_only)
            exempt = getattr(response, "_csp_exempt_ro" if report_only else "_csp_exempt", False)
            wanted = policy and exempt is False and not _excluded(request.path_info, setting)
            if wanted and header not in response:
                response[header] = policy
        if getattr(request, "_csp_nonce", None) is None:
            # As django-csp: a nonce asked for after the header was written is an error.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
