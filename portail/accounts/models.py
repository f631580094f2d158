"""Landlords and the users who sign in for them."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac

from portail.common import clock


class Landlord(models.Model):
    """A bailleur: a private person (natural) or a company (legal, one account per SIRET)."""

    class Kind(models.TextChoices):
        NATURAL = "natural", "Bailleur physique"
        LEGAL = "legal", "Bailleur moral"

    ref = models.CharField("référence Caf", max_length=32, unique=True)
    kind = models.CharField("type", max_length=8, choices=Kind.choices)
    name = models.CharField("nom", max_length=200)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    email = models.EmailField("adresse mail", blank=True)
    address_line1 = models.CharField("adresse", max_length=200)
    address_line2 = models.CharField("complément d'adresse", max_length=200, blank=True)
    postcode = models.CharField("code postal", max_length=5)
    city = models.CharField("commune", max_length=100)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "bailleur"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["natural", "legal"]), name="landlord_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(kind="natural") | ~Q(siret=""), name="legal_landlord_has_siret"
            ),
            models.UniqueConstraint(
                fields=["siret"], condition=~Q(siret=""), name="one_account_per_siret"
            ),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_legal(self) -> bool:
        return self.kind == self.Kind.LEGAL

    @property
    def address_lines(self) -> list[str]:
        """The postal address as printed on an envelope."""
        lines = [self.name, self.address_line1, self.address_line2, f"{self.postcode} {self.city}"]
        return [line for line in lines if line]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, identifier, password=None, **fields):
        user = self.model(identifier=identifier, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, identifier, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(identifier, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a landlord's user (LOG identifier) or an agency staff member."""

    identifier = models.CharField("identifiant", max_length=32, unique=True)
    # NULL for staff users, who have none; unique among landlords' users.
    user_number = models.CharField(  # noqa: DJ001
        "numéro utilisateur", max_length=10, unique=True, null=True, blank=True
    )
    landlord = models.ForeignKey(
        Landlord,
        verbose_name="bailleur",
        on_delete=models.CASCADE,
        related_name="users",
        null=True,
        blank=True,
    )
    full_name = models.CharField("nom", max_length=200, blank=True)
    email = models.EmailField("adresse mail", blank=True)
    is_landlord_admin = models.BooleanField("administrateur du compte bailleur", default=False)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("agent de la Caf", default=False)
    date_joined = models.DateTimeField("créé le", default=clock.now)
    # The e-mail may be used for recovery once the agency's feed gave it or the user confirmed it
    # with a code sent to it.
    email_confirmed = models.BooleanField("adresse mail confirmée", default=False)
    first_credentials_channel = models.CharField(
        "premiers accès envoyés par", max_length=8, blank=True
    )
    # Last postal letter carrying a temporary password (help sheet, difficulty 6).
    credentials_letter_sent_at = models.DateTimeField(
        "dernier courrier d'accès envoyé le", null=True, blank=True
    )
    # Part of every session's authentication hash: raised each time the account is deactivated
    # (suspension, removal, staff disabling), so the sessions it had never come back, even once
    # the account is active again (see save() and docs/security.md, "Sessions").
    session_generation = models.PositiveIntegerField("génération des sessions", default=0)

    objects = UserManager()

    USERNAME_FIELD = "identifier"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"
        constraints = [
            models.CheckConstraint(
                condition=Q(is_staff=False) | Q(landlord__isnull=True),
                name="staff_user_has_no_landlord",
            ),
            models.CheckConstraint(
                condition=Q(landlord__isnull=True) | Q(user_number__isnull=False),
                name="landlord_user_has_user_number",
            ),
        ]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return self.identifier

    @property
    def contact_email(self) -> str:
        """Where the agency e-mails this user: the user's own address, else the landlord's."""
        return self.email or (self.landlord.email if self.landlord_id else "")

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._was_active = user.__dict__.get("is_active")
        return user

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._was_active = self.__dict__.get("is_active")

    def save(self, *args, **kwargs):
        """Any deactivation, whatever path saves it (team, back office, admin), ends the user's
        sessions for good: the session generation goes up with it."""
        if not self.is_active and getattr(self, "_was_active", None) is not False:
            self.session_generation += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "session_generation"}
        super().save(*args, **kwargs)
        self._was_active = self.is_active

    def get_session_auth_hash(self):
        """Django's HMAC of the password hash, which also covers the session generation: a
        password change or a deactivation invalidates every session signed with the old one."""
        return self._portal_session_hash()

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._portal_session_hash(secret=secret)

    def _portal_session_hash(self, secret=None) -> str:
        return salted_hmac(
            "portail.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class TemporaryPassword(models.Model):
    """A mot de passe provisoire: generated at delivery, stored only as a hash, single purpose.

    A newer one supersedes the older (``superseded_at``); signing in with one uses it
    (``used_at``) and leads straight to the change form.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Mail"
        LETTER = "letter", "Courrier"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="temporary_passwords")
    password_hash = models.CharField(max_length=256)
    # A short fingerprint of the password (temporary_passwords.selector): it picks which one of
    # the user's temporary passwords a typed one can be, so a sign-in verifies one hash only.
    selector = models.CharField(max_length=16, blank=True, default="")
    channel = models.CharField("envoyé par", max_length=8, choices=Channel.choices)
    issued_at = models.DateTimeField("émis le", default=clock.now)
    expires_at = models.DateTimeField("expire le")
    superseded_at = models.DateTimeField("remplacé le", null=True, blank=True)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)

    class Meta:
        verbose_name = "mot de passe provisoire"
        verbose_name_plural = "mots de passe provisoires"
        indexes = [models.Index(fields=["user", "-issued_at"])]

    def __str__(self) -> str:
        return f"Mot de passe provisoire de {self.user} (émis le {self.issued_at:%d/%m/%Y})"


class SignInThrottle(models.Model):
    """Failed sign-ins counted per identifier (known or not) and per IP address; growing locks."""

    class Scope(models.TextChoices):
        IDENTIFIER = "identifier", "Identifiant"
        IP = "ip", "Adresse IP"

    scope = models.CharField(max_length=16, choices=Scope.choices)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    lockouts = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "blocage de connexion"
        verbose_name_plural = "blocages de connexion"
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="one_throttle_per_scope_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class RateCounter(models.Model):
    """Requests counted per key in a fixed window (recovery forms), in the database so that
    every web process shares it and parallel requests are counted one by one (ratelimit.py)."""

    key = models.CharField(max_length=64, unique=True)
    window_ends_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "compteur de demandes"
        verbose_name_plural = "compteurs de demandes"
        indexes = [models.Index(fields=["window_ends_at"])]

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class EmailConfirmation(models.Model):
    """A code sent to an e-mail address the user gave; the address is used once confirmed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_confirmations")
    email = models.EmailField()
    code_hash = models.CharField(max_length=256)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "confirmation d'adresse mail"
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"Confirmation de {self.email}"
