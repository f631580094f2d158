"""Back-office rules with no I/O: dashboard buckets and charts, the journal's labels."""

# Portfolio sizes (number of tenancies concerned) shown on the campaign dashboard.
SIZE_BUCKETS = [(1, 1), (2, 5), (6, 20), (21, 100), (101, None)]


def size_bucket_label(low: int, high: int | None) -> str:
    """ "1 locataire", "2 à 5 locataires", "plus de 100 locataires"."""
    if high is None:
        return f"plus de {low - 1} locataires"
    if low == high:
        return f"{low} locataire" if low == 1 else f"{low} locataires"
    return f"{low} à {high} locataires"


def size_bucket(size: int) -> tuple[int, int | None]:
    """The bucket of a portfolio with this many tenancies concerned."""
    for low, high in SIZE_BUCKETS:
        if size >= low and (high is None or size <= high):
            return low, high
    return SIZE_BUCKETS[0]


def share(part: int, whole: int) -> float:
    """part/whole as a percentage with one decimal; 0 for nothing to declare."""
    return round(100 * part / whole, 1) if whole else 0.0


def bar_chart(values: list[tuple[str, int]], *, width: int = 640, height: int = 200) -> dict:
    """Geometry of an SVG bar chart: one bar per value, scaled to the largest."""
    top = max((value for _label, value in values), default=0) or 1
    count = max(len(values), 1)
    slot = width / count
    bars = []
    for index, (label, value) in enumerate(values):
        bar_height = round(value / top * (height - 20), 1)
        bars.append(
            {
                "label": label,
                "value": value,
                "x": round(index * slot + slot * 0.1, 1),
                "width": round(slot * 0.8, 1),
                "y": round(height - bar_height, 1),
                "height": bar_height,
            }
        )
    return {"width": width, "height": height, "bars": bars, "top": top}


# The journal's actions as an agent reads them; an action not listed is shown as recorded.
ACTION_LABELS = {
    "sign_in.success": "Connexion",
    "sign_in.failure": "Échec de connexion",
    "sign_in.lockout": "Connexion bloquée après plusieurs échecs",
    "sign_in.refused_locked": "Connexion refusée (bloquée)",
    "sign_in.expired": "Mot de passe provisoire expiré",
    "sign_in.superseded": "Mot de passe provisoire remplacé",
    "credentials.first_access": "Premiers accès envoyés",
    "password.change": "Mot de passe changé",
    "recovery.identifier": "Identifiant perdu",
    "recovery.password": "Mot de passe perdu",
    "recovery.password_letter": "Mot de passe perdu, demandé par courrier",
    "email.change_requested": "Adresse mail donnée (à confirmer)",
    "email.change": "Adresse mail confirmée",
    "team.user_added": "Utilisateur ajouté par l'administrateur du compte",
    "team.user_removed": "Utilisateur retiré par l'administrateur du compte",
    "team.user_suspended": "Utilisateur suspendu par l'administrateur du compte",
    "team.user_reactivated": "Utilisateur réactivé par l'administrateur du compte",
    "team.access_changed": "Habilitations changées",
    "team.contact_email_changed": "Adresse mail de contact changée",
    "staff.identifier_resent": "Identifiant renvoyé par un agent",
    "staff.temporary_password_issued": "Mot de passe provisoire envoyé par un agent",
    "staff.unlocked": "Connexion débloquée par un agent",
    "staff.email_changed": "Adresse mail changée par un agent",
    "staff.address_changed": "Adresse postale changée par un agent",
    "staff.user_disabled": "Utilisateur désactivé par un agent",
    "staff.receipt_validated": "Quittance validée",
    "staff.receipt_rejected": "Quittance refusée",
    "staff.message_retried": "Mail renvoyé par un agent",
}


def action_label(action: str) -> str:
    """The French words for a journal action (the code itself when none is known)."""
    return ACTION_LABELS.get(action, action)
