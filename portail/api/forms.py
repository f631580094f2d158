"""Forms of the page « Accès pour vos logiciels »: a token, a webhook address."""

from django import forms

from portail.events.models import Kind


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Nom du jeton",
        help_text="Pour le reconnaître dans la liste. Exemple : Logiciel de gestion locative",
        max_length=100,
        error_messages={"required": "Donnez un nom au jeton, par exemple le nom du logiciel."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scope = forms.ChoiceField(
        label="Ce que le logiciel pourra faire",
        choices=[
            ("read", "Consulter seulement"),
            ("declare", "Consulter et déclarer les loyers"),
        ],
        initial="read",
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez ce que le logiciel pourra faire."},
    )
    portfolios = forms.MultipleChoiceField(
        label="Parcs ouverts au logiciel",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un parc."},
    )
    expires_on = forms.DateField(
        label="Date d'expiration",
        help_text="Au plus un an après aujourd'hui. Exemple : 30/11/2027",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Saisissez la date d'expiration, par exemple 30/11/2027.",
            "invalid": "Écrivez la date sous la forme 30/11/2027.",
        },
    )

    def __init__(self, *args, portfolios, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["portfolios"].choices = [(str(p.pk), p.name) for p in portfolios]


class WebhookForm(forms.Form):
    url = forms.URLField(
        label="Adresse de votre logiciel",
        help_text="Elle commence par https://. Exemple : https://logiciel.exemple.fr/caf",
        max_length=500,
        assume_scheme="https",
        error_messages={
            "required": "Saisissez l'adresse, par exemple https://logiciel.exemple.fr/caf.",
            "invalid": "Saisissez une adresse complète, par exemple https://logiciel.exemple.fr/caf.",
        },
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    kinds = forms.MultipleChoiceField(
        label="Événements à signaler",
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un événement."},
    )
