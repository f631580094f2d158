"""Argon2id with the portal's own parameters (measured and justified in docs/security.md)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, m = 19 MiB, t = 2, p = 1: the OWASP/ASVS baseline.

    One hash uses one core and far less memory than Django's default (m = 100 MiB, p = 8), so
    a web node verifies as many sign-ins at once as it has cores, while an offline guess still
    costs 19 MiB of memory (figures: docs/security.md, ``bench/sign_in.py``).
    """

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
