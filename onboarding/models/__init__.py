"""Models of the onboarding app: the placement pipeline, pre-departure e-learning
and the arrival checklist. One module per part; every name is re-exported here."""

from .checklist import ChecklistItem
from .elearning import Choice, Course, Enrolment, Module, Question, QuizAttempt, Task, TaskCompletion
from .handover import Handover
from .placement import HousingStatus, Placement, PlacementEvent, Stage

__all__ = [
    "ChecklistItem",
    "Choice",
    "Course",
    "Enrolment",
    "Handover",
    "HousingStatus",
    "Module",
    "Placement",
    "PlacementEvent",
    "Question",
    "QuizAttempt",
    "Stage",
    "Task",
    "TaskCompletion",
]
