from django import forms
from django.utils.translation import gettext_lazy as _

from contacts import prefectures
from contacts.selectors import BranchScope

from .models import AnswerStatus, SafetyCheck, Score
from .selectors import alts_in_scope


class SafetyCheckAdminForm(forms.ModelForm):
    """Starting a check in the admin. `scope` (the user's branches) is set by the admin."""

    prefectures = forms.MultipleChoiceField(
        label=_("Prefectures"),
        choices=prefectures.CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("None chosen means every prefecture. ALTs who have not given theirs are asked only then."),
    )

    scope: BranchScope = BranchScope()

    class Meta:
        model = SafetyCheck
        fields = ["title", "message", "reason", "branches", "prefectures", "title_ja", "message_ja"]

    def clean(self):
        data = super().clean()
        branches = data.get("branches")
        if not self.scope.all_branches and not branches:
            self.add_error("branches", _("Choose your branch: branch staff start checks for their own branch."))
        if self.errors:
            return data
        in_scope = alts_in_scope(branch_ids=[b.pk for b in branches or []], prefectures=data.get("prefectures") or [])
        if not in_scope.exists():
            raise forms.ValidationError(
                _("No arrived ALT is in this scope, so nobody would be asked. Choose other branches or prefectures."),
                code="empty",
            )
        return data


class AnswerForm(forms.Form):
    """ "I'm safe" / "I need help": the button pressed is the answer."""

    status = forms.ChoiceField(
        choices=[(AnswerStatus.SAFE, AnswerStatus.SAFE.label), (AnswerStatus.NEED_HELP, AnswerStatus.NEED_HELP.label)],
        error_messages={"required": _("Please tap “I'm safe” or “I need help”.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: my building is damaged; I am at the evacuation centre at ..."),
    )


class CheckinForm(forms.Form):
    work = forms.TypedChoiceField(
        label=_("How is work going?"), choices=Score.choices, coerce=int, widget=forms.RadioSelect
    )
    daily_life = forms.TypedChoiceField(
        label=_("How is daily life going?"), choices=Score.choices, coerce=int, widget=forms.RadioSelect
    )
    health = forms.TypedChoiceField(
        label=_("How is your health?"), choices=Score.choices, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Anything you would like to add (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact_me = forms.BooleanField(
        label=_("I would like someone to contact me"),
        required=False,
        help_text=_(
            "Ticking this is your consent: your Managing Consultant receives a confidential well-being request "
            "with these answers and your comment, and will contact you. Otherwise your answers are not shown "
            "to anyone by name."
        ),
    )
