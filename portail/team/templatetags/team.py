"""How a journal event reads for the administrator, in French."""

from django import template

register = template.Library()

ACTIONS = {
    "team.user_added": "Utilisateur ajouté",
    "team.access_changed": "Droits modifiés",
    "team.user_suspended": "Utilisateur suspendu",
    "team.user_reactivated": "Utilisateur réactivé",
    "team.user_removed": "Utilisateur retiré",
    "team.contact_email_changed": "Adresse mail de contact modifiée",
}


@register.filter
def journal_action(event) -> str:
    return ACTIONS.get(event.action, event.action)


@register.filter
def journal_detail(event) -> str:
    details = event.details or {}
    if event.action == "team.contact_email_changed":
        return f"{details.get('former') or 'aucune'} → {details.get('new')}"
    parts = [event.target] if event.target else []
    changes = details.get("changes") or details.get("rights") or {}
    parts += [f"{name} : {right}" for name, right in changes.items()]
    if details.get("administrator"):
        parts.append("administrateur")
    return " ; ".join(parts)
