import factory
from django.utils import timezone

from contacts.services import alt_profile_update
from onboarding.models import (
    Choice,
    Course,
    Enrolment,
    Module,
    Placement,
    Question,
    Stage,
    Task,
    TaskCompletion,
)
from testing.contacts import UserFactory


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    alt = factory.SubFactory(UserFactory)
    stage = Stage.APPLIED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """`departure_date=` and `arrival_date=` are the ALT's profile's: written there, as GRM's form does."""
        dates = {name: kwargs.pop(name) for name in ("departure_date", "arrival_date") if name in kwargs}
        placement = super()._create(model_class, *args, **kwargs)
        if dates:
            alt_profile_update(user_id=placement.alt_id, **dates)
        return placement


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"course{n}")
    title_en = "Before you fly"
    title_ja = "出発前研修"
    is_current = False


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    order = factory.Sequence(lambda n: n)
    title_en = factory.Sequence(lambda n: f"Module {n}")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    module = factory.SubFactory(ModuleFactory)
    order = factory.Sequence(lambda n: n)
    kind = Task.Kind.READING
    title_en = factory.Sequence(lambda n: f"Task {n}")
    body_en = "Read this."


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    alt = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CourseFactory)
    invited_at = factory.LazyFunction(timezone.now)


def make_quiz(*, module, order=10, pass_mark=100, attempts_per_day=3, questions_per_attempt=0, title="Quiz") -> Task:
    """A quiz of two questions: one single choice (right: "Right"), one multiple choice (right: A and C)."""
    task = TaskFactory(
        module=module,
        order=order,
        kind=Task.Kind.QUIZ,
        title_en=title,
        pass_mark=pass_mark,
        attempts_per_day=attempts_per_day,
        questions_per_attempt=questions_per_attempt,
    )
    single = Question.objects.create(task=task, order=1, kind=Question.Kind.SINGLE, text_en="Pick the right one")
    Choice.objects.create(question=single, order=1, text_en="Wrong", is_correct=False)
    Choice.objects.create(question=single, order=2, text_en="Right", is_correct=True)
    multiple = Question.objects.create(task=task, order=2, kind=Question.Kind.MULTIPLE, text_en="Pick A and C")
    Choice.objects.create(question=multiple, order=1, text_en="A", is_correct=True)
    Choice.objects.create(question=multiple, order=2, text_en="B", is_correct=False)
    Choice.objects.create(question=multiple, order=3, text_en="C", is_correct=True)
    return task


def quiz_answers(task: Task, *, right: bool = True) -> dict:
    """{question_id: [choice_id, ...]} answering every question right, or the first one wrong."""
    answers = {}
    for index, question in enumerate(task.questions.order_by("order")):
        choices = list(question.choices.order_by("order"))
        picked = [c.pk for c in choices if c.is_correct]
        if not right and index == 0:
            picked = [c.pk for c in choices if not c.is_correct][:1]
        answers[question.pk] = picked
    return answers


def make_course(*, tasks_per_module=(2, 1), with_quiz=True, current=True) -> Course:
    """A course (the current one unless told): modules of reading tasks, and a quiz at the end when asked."""
    course = CourseFactory(is_current=current)
    module = None
    for index, count in enumerate(tasks_per_module, 1):
        module = ModuleFactory(course=course, order=index, title_en=f"Module {index}")
        for n in range(1, count + 1):
            TaskFactory(module=module, order=n, title_en=f"Task {index}.{n}")
    if with_quiz and module is not None:
        make_quiz(module=module, order=99)
    return course


def complete(enrolment, task, **extra) -> TaskCompletion:
    return TaskCompletion.objects.create(
        enrolment=enrolment, task=task, course_version=enrolment.course.version, **extra
    )
