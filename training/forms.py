from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import AltProfile

from .models import Registration, TrainingSession
from .services import capacity_problem

ATTENDANCE_CHOICES = [(status.value, status.label) for status in Registration.ATTENDANCE]
# An orientation is for one intake: a longer window would invite ALTs who arrived long ago.
ARRIVAL_WINDOW_MAX = timedelta(days=183)


class WithdrawForm(forms.Form):
    """Withdraw, or decline a required session's invitation (then a reason is asked for)."""

    reason = forms.CharField(
        label=_("Why can you not attend?"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AttendanceForm(forms.Form):
    """One choice per person on the session's list: attended, absent or excused."""

    def __init__(self, *args, registrations: list[Registration], **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        for registration in registrations:
            initial = registration.status if registration.status in Registration.ATTENDANCE else None
            self.fields[self.field_name(registration)] = forms.ChoiceField(
                label=registration.alt.display_name,
                choices=ATTENDANCE_CHOICES,
                required=False,
                initial=initial,
                widget=forms.RadioSelect,
            )

    @staticmethod
    def field_name(registration: Registration) -> str:
        return f"reg-{registration.pk}"

    def rows(self):
        """(registration, bound field) pairs for the template."""
        return [(r, self[self.field_name(r)]) for r in self.registrations]

    def marks(self) -> dict[int, str]:
        return {
            r.pk: self.cleaned_data[self.field_name(r)]
            for r in self.registrations
            if self.cleaned_data.get(self.field_name(r))
        }


class TrainingSessionAdminForm(forms.ModelForm):
    """The admin form: branch staff must pick their branch and may not run an initial orientation;
    times are entered in Japan time."""

    # Set by the admin for the request: may this user create national sessions? Whose ALTs may they register
    # (branch ids; None: every branch)?
    national_allowed = True
    alt_branch_ids = None

    online_link = forms.URLField(label=_("online link"), required=False, max_length=500, assume_scheme="https")
    register_alt = forms.EmailField(
        label=_("Register an ALT"),
        required=False,
        help_text=_(
            "Their email address. Staff may register any ALT of their branches at any session, whatever its "
            "track: a place if one is free, else the waiting list. The ALT is emailed."
        ),
    )

    class Meta:
        model = TrainingSession
        fields = [
            "kind",
            "track",
            "title",
            "title_ja",
            "description",
            "description_ja",
            "branch",
            "trainer",
            "start",
            "end",
            "place",
            "online_link",
            "capacity",
            "required",
            "registration_deadline",
            "status",
            "arrival_from",
            "arrival_until",
        ]

    def clean_register_alt(self):
        email = (self.cleaned_data.get("register_alt") or "").strip().lower()
        if not email:
            return None
        profiles = AltProfile.objects.filter(user__email=email, user__is_active=True)
        if self.alt_branch_ids is not None:
            profiles = profiles.filter(branch_id__in=self.alt_branch_ids)
        profile = profiles.select_related("user").first()
        if profile is None:
            raise forms.ValidationError(_("No active ALT of your branches has this email address."))
        return profile.user

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("register_alt") and cleaned.get("status") == TrainingSession.Status.CANCELLED:
            self.add_error("register_alt", _("The session is cancelled: nobody can be registered."))
        capacity = cleaned.get("capacity")
        if self.instance.pk and capacity:
            problem = capacity_problem(session_id=self.instance.pk, capacity=capacity)
            if problem is not None:
                self.add_error("capacity", problem)
        if not self.national_allowed and not cleaned.get("branch"):
            self.add_error("branch", _("Choose your branch: national sessions are run by SESPS."))
        kind = cleaned.get("kind")
        if kind and kind != TrainingSession.Kind.INITIAL_ORIENTATION:
            if not cleaned.get("branch") and "branch" not in self.errors:
                self.add_error("branch", _("Branch training and ALT meetings belong to a branch."))
            if cleaned.get("track"):
                self.add_error("track", _("Only an initial orientation has a track."))
            if cleaned.get("arrival_from") or cleaned.get("arrival_until"):
                self.add_error("arrival_from", _("Only an initial orientation has an arrival window."))
        elif kind:
            # The model allows an orientation for one branch (SESPS may run one there); who runs it is the rule.
            if not self.national_allowed:
                self.add_error(
                    "kind", _("Initial orientation is run by SESPS: choose branch training or an ALT meeting.")
                )
            if not cleaned.get("track"):
                self.add_error("track", _("Choose the flagship or the alternate track."))
            # Saving a required session invites everyone it applies to: without a window, every ALT.
            if cleaned.get("required") and not cleaned.get("arrival_from") and "arrival_from" not in self.errors:
                self.add_error(
                    "arrival_from",
                    _("A required orientation is for the ALTs of an arrival window: give its first and last day."),
                )
        start, end, deadline = cleaned.get("start"), cleaned.get("end"), cleaned.get("registration_deadline")
        if start and end and end <= start:
            self.add_error("end", _("The end must be after the start."))
        if start and deadline and deadline > start:
            self.add_error("registration_deadline", _("The registration deadline must be before the start."))
        if bool(cleaned.get("arrival_from")) != bool(cleaned.get("arrival_until")):
            self.add_error("arrival_until", _("Give both ends of the arrival window."))
        elif cleaned.get("arrival_from") and cleaned["arrival_from"] > cleaned["arrival_until"]:
            self.add_error("arrival_until", _("The window must end on or after its first day."))
        elif cleaned.get("arrival_from") and cleaned["arrival_until"] - cleaned["arrival_from"] > ARRIVAL_WINDOW_MAX:
            self.add_error("arrival_until", _("The arrival window can be at most six months long."))
        if not cleaned.get("place") and not cleaned.get("online_link"):
            self.add_error("place", _("Give a place or an online link."))
        return cleaned
