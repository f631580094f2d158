"""Create an agency staff account in a role; the agent enrols a TOTP device at first sign-in."""

import getpass
import os

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portail.accounts import rules
from portail.accounts.models import User
from portail.audit.services import record_event
from portail.backoffice.roles import ROLES
from portail.backoffice.signin import permit_enrolment

PASSWORD_VARIABLE = "PORTAIL_STAFF_PASSWORD"  # noqa: S105 - the name of a variable


class Command(BaseCommand):
    help = (
        "Create a staff account (agent, supervisor or administrator). The password is asked "
        f"twice, or read from ${PASSWORD_VARIABLE} with --no-input; it is never printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("identifier", help="the agent's sign-in name, e.g. camille.martin")
        parser.add_argument("--role", choices=list(ROLES), required=True)
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--no-input", action="store_true")

    def handle(self, *args, identifier, role, full_name, email, no_input, **options):
        if rules.looks_like_identifier(identifier):
            raise CommandError("A staff identifier must not look like a landlord's (LOG…).")
        if User.objects.filter(identifier=identifier).exists():
            raise CommandError(f"{identifier} already exists.")
        password = os.environ.get(PASSWORD_VARIABLE, "") if no_input else self._ask()
        user = User(identifier=identifier, full_name=full_name, email=email, is_staff=True)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=role))
            permit_enrolment(user=user, granted_by=None)
            record_event(action="staff.account_created", target=identifier, details={"role": role})
        self.stdout.write(
            f"{identifier} created ({role}); it enrols its authenticator at its first sign-in, "
            "within 7 days."
        )

    def _ask(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
