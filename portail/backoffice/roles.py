"""Staff roles as groups, each with only the permissions it needs.

agent: find and help landlords, process receipts, follow the campaign and the correspondence.
supervisor: the agent's, plus campaign dates, reminders, the rents export, disabling a user and
the letters batch. Every role also handles the unpaid-rent reports and reported changes
(OBLIGATIONS). administrator: the supervisor's, plus managing staff accounts, their TOTP
devices, letting an agent enrol a new authenticator (after a lost phone), the audit journal and
the unpaid-rent rules in the Django admin (never a password hash: see admin.py). Every role
reads the direct payments in the admin (PAYMENTS).
"""

AGENT = [
    "backoffice.use_backoffice",
    "backoffice.help_landlords",
    "backoffice.process_receipts",
    "backoffice.view_campaign",
    "backoffice.watch_correspondence",
]
SUPERVISOR = AGENT + [
    "backoffice.disable_users",
    "backoffice.set_campaign_dates",
    "backoffice.send_reminders",
    "backoffice.export_rents",
    "backoffice.print_letters",
]
ADMINISTRATOR = SUPERVISOR + [
    "accounts.view_user",
    "accounts.add_user",
    "accounts.change_user",
    "auth.view_group",
    "otp_totp.view_totpdevice",
    "otp_totp.delete_totpdevice",
    "audit.view_event",
    "backoffice.add_enrolmentpermit",
    "backoffice.view_enrolmentpermit",
]
ROLES = {"agent": AGENT, "supervisor": SUPERVISOR, "administrator": ADMINISTRATOR}

# Given by migration 0003 (issue 13), after the permissions exist: every role handles the
# unpaid-rent reports and the changes landlords report (/agence/impayes/, /agence/changements/);
# an administrator also keeps the dated unpaid-rent rules in the Django admin.
_HANDLE = ["backoffice.handle_obligations"]
_RULES = [
    "obligations.view_unpaidrentrule",
    "obligations.add_unpaidrentrule",
    "obligations.change_unpaidrentrule",
]
OBLIGATIONS = {"agent": _HANDLE, "supervisor": _HANDLE, "administrator": _HANDLE + _RULES}

# Given by migration 0004 (issue 13): every role reads the direct payments the feed recorded and
# their monthly totals in the admin (read only there: payments.admin), to answer a landlord.
_READ_PAYMENTS = ["payments.view_payment", "payments.view_paymentmonth"]
PAYMENTS = {role: _READ_PAYMENTS for role in ROLES}


def permissions_of(role: str) -> list[str]:
    """Every permission a role's group holds once all migrations ran."""
    return ROLES[role] + OBLIGATIONS[role] + PAYMENTS[role]
