"""Argon2id with the portal's own parameters (measured and justified in docs/security.md)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, m = 19 MiB, t = 2, p = 1: the OWASP/ASVS baseline.

    Django's default (m = 100 MiB, p = 8) costs ~140 ms of both cores here; this costs ~25 ms of
    one core, so a 2-core web node verifies about 80 sign-ins a second instead of 7, while an
    offline guess still costs 19 MiB of memory.
    """

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
