"""Forms for importing: the file, and the field each of its columns goes to."""

from typing import Any

from django import forms

from followthrough.core.tabular import FIELDS

FIELD_CHOICES = [("", "— ignore —"), *FIELDS.items()]


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label="Your contacts file",
        help_text="CSV or Excel (.xlsx) from Google Contacts, Outlook, HubSpot or any "
        "spreadsheet, or a vCard (.vcf) from your phone.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,.vcf,.vcard"}),
    )


class InvoiceFileForm(forms.Form):
    file = forms.FileField(
        label="Invoice history file",
        help_text="CSV or .xlsx with invoice_id, email (or customer_id), amount, issued, due and "
        "paid (empty when unpaid).",
    )


class MappingForm(forms.Form):
    """One choice per column ("col_0", "col_1", …), pre-filled with the guessed field."""

    def __init__(self, *args: Any, header: list[str], mapping: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, (column, field) in enumerate(zip(header, mapping, strict=True)):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=column, choices=FIELD_CHOICES, required=False, initial=field
            )

    def mapping(self) -> list[str]:
        return [self.cleaned_data[f"col_{i}"] for i in range(len(self.fields))]
