import re

from allauth.account.forms import ResetPasswordForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import prefectures
from .models import User

PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,30}$")


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


class AltProfileForm(forms.Form):
    """What an ALT keeps up to date themselves: where they live and their phone number.

    `seen_*` carry the values the page was loaded with: a change made meanwhile by
    staff (in the admin) is not silently overwritten.
    """

    prefecture = forms.ChoiceField(
        label=_("Prefecture where you live"),
        choices=[("", "—"), *prefectures.CHOICES],
        required=False,
        help_text=_("After an earthquake or a typhoon, your branch asks the ALTs of the prefecture if they are safe."),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=32,
        required=False,
        help_text=_("So that your branch can call you in an emergency. For example 080-1234-5678."),
    )
    seen_prefecture = forms.CharField(required=False, widget=forms.HiddenInput)
    seen_phone = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_phone(self):
        phone = " ".join(self.cleaned_data["phone"].split())
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("Please write a phone number with digits, spaces, dashes or a leading +."))
        return phone
