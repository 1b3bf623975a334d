from allauth.account.forms import ResetPasswordForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import User


class UserInviteForm(forms.ModelForm):
    """Staff create accounts without a password; the person chooses one from the invitation."""

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "preferred_language", "phone"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email


class PasswordResetForm(ResetPasswordForm):
    """allauth's form (address, rate limit, no enumeration), its sending left to a worker for every address."""

    def save(self, request, **kwargs) -> str:
        from .services import password_reset_request

        password_reset_request(email=self.cleaned_data["email"])
        return self.cleaned_data["email"]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)
