from dataclasses import dataclass

from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from contacts.models import Branch

from .models import Course, Question
from .progress_report import Show


@dataclass(frozen=True)
class QuestionField:
    """What the task page shows of one question's field, written as plain markup (no widget templates)."""

    question: Question
    name: str
    multiple: bool
    choices: list
    checked: frozenset  # the ids of the choices given (a failed attempt's, or those just sent)
    errors: list

    @property
    def input_type(self) -> str:
        return "checkbox" if self.multiple else "radio"

    @property
    def describedby(self) -> str:
        ids = [f"id_{self.name}_helptext"] if self.multiple else []
        return " ".join(ids + ([f"id_{self.name}_error"] if self.errors else []))


class QuizForm(forms.Form):
    """One field per question of the attempt's draw; graded by `services.quiz_submit`, never here.

    `attempt` carries the number of the attempt whose questions the page showed:
    the service refuses answers sent for an attempt that is no longer the next one.
    """

    attempt = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, questions, number: int, **kwargs):
        kwargs["initial"] = {**kwargs.get("initial", {}), "attempt": number}
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            choices = [(choice.pk, choice.text) for choice in question.choices.all()]
            common = {
                "label": question.text,
                "choices": choices,
                "coerce": int,
                "error_messages": {"required": _("Answer this question.")},
            }
            if question.kind == Question.Kind.SINGLE:
                field = forms.TypedChoiceField(widget=forms.RadioSelect, **common)
            else:
                field = forms.TypedMultipleChoiceField(
                    widget=forms.CheckboxSelectMultiple, help_text=_("Choose every answer that applies."), **common
                )
            self.fields[f"q{question.pk}"] = field

    def question_fields(self) -> list[QuestionField]:
        rows = []
        for question in self.questions:
            name = f"q{question.pk}"
            field = self.fields[name]
            if self.is_bound:
                given = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            else:
                given = self.get_initial_for_field(field, name)
            given = given if isinstance(given, list | tuple) else [given]
            rows.append(
                QuestionField(
                    question=question,
                    name=name,
                    multiple=question.kind == Question.Kind.MULTIPLE,
                    choices=list(question.choices.all()),
                    checked=frozenset(int(value) for value in given if str(value).isdigit()),
                    errors=list(self.errors.get(name, [])) if self.is_bound else [],
                )
            )
        return rows

    def answers(self) -> dict:
        result = {}
        for question in self.questions:
            value = self.cleaned_data[f"q{question.pk}"]
            result[question.pk] = value if isinstance(value, list) else [value]
        return result


class AcknowledgementForm(forms.Form):
    acknowledged = forms.BooleanField(
        label=_("I have read and understood this."),
        error_messages={"required": _("Tick the box to confirm you have read and understood this.")},
    )


class ChecklistTickForm(forms.Form):
    done = forms.BooleanField(required=False)


class ProgressReportFilterForm(forms.Form):
    """The progress report's filters (GET): the course, a branch, which ALTs."""

    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none(), required=False, empty_label=None)
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.none(), required=False, empty_label=_("All branches")
    )
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            (Show.DEPARTING, _("ALTs not yet departed")),
            (Show.BEHIND, _("Only those behind")),
            (Show.ALL, _("Everyone, departed too")),
        ],
    )

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.order_by(F("is_current").desc(), "code")
        self.fields["course"].label_from_instance = lambda course: course.title
        self.fields["branch"].queryset = branches

    def filters(self) -> dict:
        """The chosen filters, the current course and departing ALTs by default; call after is_valid()."""
        data = self.cleaned_data if self.is_bound else {}
        course = data.get("course") or self.fields["course"].queryset.filter(is_current=True).first()
        return {"course": course, "branch": data.get("branch"), "show": data.get("show") or Show.DEPARTING}
