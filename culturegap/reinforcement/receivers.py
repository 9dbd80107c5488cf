"""What reinforcement does about events of the training app: every question answered in a lesson
or a check becomes (or reviews) the learner's drill card."""

from culturegap.reinforcement import services
from culturegap.training import events as training_events


def question_answered(sender, *, answer, **kwargs) -> None:
    # Runs in the sender's transaction, not on commit: an answer and its card review are one
    # unit of work, and pages read the card right after the answer is recorded.
    services.review_from_answer(answer=answer)


def connect() -> None:
    training_events.question_answered.connect(
        question_answered, dispatch_uid="reinforcement-card-from-answer"
    )
