from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LegalEntity


def _digits_only(value: str) -> str:
    # Numbers are often pasted from documents with spaces or dashes.
    return "".join(ch for ch in value if not ch.isspace() and ch != "-")


class LegalEntityForm(forms.ModelForm):
    class Meta:
        model = LegalEntity
        fields = ["name", "inn", "kpp", "ogrn", "address", "is_active", "personal_data_retention_days"]
        # Own msgids: Django's catalogs translate a bare "name"/"active" as
        # a person's name, and theirs take precedence over this app's.
        labels = {"name": _("Name of the legal entity"), "is_active": _("Active")}
        help_texts = {
            "inn": _("10 digits for an organisation, 12 for an individual."),
            "ogrn": _("13 digits (OGRN) or 15 digits (OGRNIP)."),
        }

    def clean_inn(self) -> str:
        return _digits_only(self.cleaned_data["inn"])

    def clean_kpp(self) -> str:
        return _digits_only(self.cleaned_data["kpp"]).upper()

    def clean_ogrn(self) -> str:
        return _digits_only(self.cleaned_data["ogrn"])
