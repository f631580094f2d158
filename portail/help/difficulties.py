"""The eleven difficulties of the agency's help sheet, each with today's advice.

Code names a difficulty by its ``Difficulty`` member; error messages link to its entry with
``help:index`` + ``#difficulte-<number>`` (a member renders as its number). The numbers are the
help sheet's and never change.
"""

from dataclasses import dataclass
from enum import IntEnum


class Difficulty(IntEnum):
    """The help sheet's difficulties, by their number."""

    LOST_IDENTIFIER_BY_EMAIL = 1
    LOST_TEMPORARY_PASSWORD_BY_EMAIL = 2
    LOST_IDENTIFIER_BY_LETTER = 3
    USER_NUMBER_NOT_FOUND = 4
    IDENTIFIER_NOT_ACCEPTED = 5
    CREDENTIALS_LETTER_NOT_RECEIVED = 6
    PASSWORD_NOT_ACCEPTED = 7
    TEMPORARY_PASSWORD_EXPIRED = 8
    JULY_RENT_BLOCKED = 9
    AMOUNT_NOT_ACCEPTED = 10
    SEVERAL_PORTFOLIOS = 11


@dataclass(frozen=True)
class HelpEntry:
    number: Difficulty
    audience: str
    title: str
    advice: tuple[str, ...]


NATURAL = "Pour les particuliers"
BOTH = "Pour les particuliers, les sociétés et les associations"

DIFFICULTIES: tuple[HelpEntry, ...] = (
    HelpEntry(
        Difficulty.LOST_IDENTIFIER_BY_EMAIL,
        NATURAL,
        "Vous avez perdu votre identifiant de connexion reçu par mail",
        (
            "Cliquez sur « Identifiant perdu » sur la page de connexion, puis saisissez votre "
            "numéro utilisateur et le code de vérification affiché (ou écoutez-le).",
            "Votre identifiant vous est renvoyé par mail, ou par courrier si nous n'avons pas "
            "votre adresse mail.",
        ),
    ),
    HelpEntry(
        Difficulty.LOST_TEMPORARY_PASSWORD_BY_EMAIL,
        NATURAL,
        "Vous avez perdu votre mot de passe",
        (
            "Cliquez sur « Mot de passe perdu » sur la page de connexion.",
            "Si vous nous avez donné votre adresse mail : saisissez-la avec le code de "
            "vérification. Un nouveau mot de passe provisoire, valable 24 heures, vous est "
            "envoyé par mail.",
            "Sinon : choisissez « Recevoir un mot de passe provisoire par courrier » et "
            "saisissez votre numéro utilisateur (conseil n° 4). Le courrier arrive en quelques "
            "jours ; son mot de passe provisoire est valable 2 mois.",
            "À la connexion suivante, vous choisirez votre propre mot de passe.",
        ),
    ),
    HelpEntry(
        Difficulty.LOST_IDENTIFIER_BY_LETTER,
        BOTH,
        "Vous avez perdu votre identifiant de connexion reçu par courrier",
        (
            "Cliquez sur « Identifiant perdu » et saisissez votre numéro utilisateur.",
            "Si vous ne vous êtes encore jamais connecté, le nouveau courrier contient votre "
            "identifiant et un nouveau mot de passe provisoire ; l'ancien ne fonctionne plus.",
        ),
    ),
    HelpEntry(
        Difficulty.USER_NUMBER_NOT_FOUND,
        BOTH,
        "Vous ne savez pas où trouver votre numéro utilisateur",
        (
            "Il figure en haut de chaque courrier et de chaque mail de votre Caf, sous la forme "
            "1234 5678 90 (10 chiffres).",
            "Une fois connecté, vous retrouvez tous ces messages dans « Mes courriers ».",
        ),
    ),
    HelpEntry(
        Difficulty.IDENTIFIER_NOT_ACCEPTED,
        BOTH,
        "Vous ne parvenez pas à saisir votre identifiant",
        (
            "L'identifiant s'écrit LOG, puis 6 chiffres, puis 1 lettre : par exemple LOG012345K.",
            "Majuscules, minuscules et espaces n'ont pas d'importance, et un « O » tapé à la "
            "place d'un zéro est lu comme un zéro. Si l'écran signale une faute de frappe, "
            "comparez les chiffres et la dernière lettre avec votre courrier ou votre mail.",
        ),
    ),
    HelpEntry(
        Difficulty.CREDENTIALS_LETTER_NOT_RECEIVED,
        NATURAL,
        "Vous n'avez pas encore reçu votre identifiant et votre mot de passe par courrier",
        (
            "Un courrier arrive en général sous quelques jours. Si vous demandez un nouvel "
            "envoi, le premier courrier ne fonctionnera plus : le portail vous indique la date "
            "du dernier envoi et vous demande de confirmer avant d'en faire un autre.",
            "Pour recevoir plus vite un nouveau mot de passe la prochaine fois, donnez-nous "
            "une adresse mail à votre première connexion.",
        ),
    ),
    HelpEntry(
        Difficulty.PASSWORD_NOT_ACCEPTED,
        BOTH,
        "Vous rencontrez des difficultés pour saisir votre mot de passe",
        (
            "Le mot de passe provisoire peut être copié-collé depuis le mail. Tapé à la main, "
            "les espaces, les tirets et les majuscules n'ont pas d'importance ; il ne contient "
            "ni O ni 0, ni I, ni l ni 1, pour éviter les confusions.",
            "Le mot de passe que vous avez choisi, lui, doit être tapé exactement, en "
            "respectant les majuscules. Le bouton « Afficher le mot de passe » permet de "
            "vérifier ce que vous avez tapé.",
            "Après 5 essais infructueux, la connexion est bloquée par sécurité pendant quelques "
            "minutes (plus longtemps si cela se répète) : l'écran indique jusqu'à quelle heure. "
            "Si vous avez oublié votre mot de passe, utilisez « Mot de passe perdu ».",
        ),
    ),
    HelpEntry(
        Difficulty.TEMPORARY_PASSWORD_EXPIRED,
        BOTH,
        "Votre mot de passe provisoire n'est plus valide",
        (
            "Un mot de passe provisoire envoyé par mail est valable 14 jours, par courrier "
            "2 mois, et après « Mot de passe perdu » par mail 24 heures. L'écran de connexion "
            "vous dit s'il a expiré et à quelle date.",
            "Demandez-en alors un nouveau avec « Mot de passe perdu », par mail ou par courrier "
            "(conseil n° 2).",
        ),
    ),
    HelpEntry(
        Difficulty.JULY_RENT_BLOCKED,
        BOTH,
        "Vous ne parvenez pas à saisir le loyer de juillet de l'année",
        (
            "Pour déclarer le loyer de juillet d'une année, la Caf doit connaître celui de "
            "juillet de l'année précédente, si le locataire était déjà dans le logement.",
            "S'il manque, la liste de vos locataires vous le signale : envoyez la quittance de "
            "juillet de l'année précédente en ligne (photo ou PDF) ou par courrier. Dès qu'elle "
            "est validée, vous recevez un mail (ou un courrier si nous n'avons pas votre "
            "adresse mail) et pouvez déclarer le loyer de l'année.",
        ),
    ),
    HelpEntry(
        Difficulty.AMOUNT_NOT_ACCEPTED,
        BOTH,
        "Vous ne parvenez pas à valider le montant du loyer",
        (
            "Écrivez le montant avec une virgule avant les centimes, par exemple 650,50. "
            "Les espaces entre les milliers (1 234,56) et le signe € sont acceptés.",
            "Si le montant est inhabituel, le portail vous demande simplement de le confirmer.",
        ),
    ),
    HelpEntry(
        Difficulty.SEVERAL_PORTFOLIOS,
        BOTH,
        "Vous avez plusieurs parcs de locataires et voulez passer de l'un à l'autre",
        (
            "Utilisez « Changer de parc » en haut de chaque page : un clic suffit, sans vous "
            "déconnecter. Vous pouvez aussi ouvrir deux parcs dans deux onglets.",
        ),
    ),
)
