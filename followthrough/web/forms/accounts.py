"""Forms for logging in and managing one's own API tokens."""

from django import forms


class LoginForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email",
                                                            "autofocus": True}))
    password = forms.CharField(widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="What is it for?",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Website contact form"}),
    )
