"""Quest refusals as domain errors: HTTP problems on the REST API, `error` frames on the socket."""

from __future__ import annotations

from game_server.kit.errors import Conflict, DomainError, NotFound, TooManyRequests, Unprocessable
from quests.engine import Refusal


class QuestNotFound(NotFound):
    slug = "quest-not-found"


class BadgeNotAwarded(NotFound):
    slug = "badge-not-awarded"


class NotAQuiz(Unprocessable):
    slug = "not-a-quiz"


class QuestAlreadyCompleted(Conflict):
    slug = "quest-completed"


class QuestCoolingDown(Conflict):
    slug = "quest-cooling-down"


class PrerequisitesMissing(Conflict):
    slug = "prerequisites-missing"


class OutsideSchedule(Conflict):
    slug = "outside-schedule"


class QuestNotStarted(Conflict):
    slug = "quest-not-started"


class StepNotOpen(Conflict):
    slug = "step-not-open"


class NotAtSite(Conflict):
    slug = "not-at-site"


class WrongAnswer(Unprocessable):
    """Committed, not rolled back: the failed attempt is what the rate limit counts."""

    slug = "wrong-answer"
    commit = True


class TooManyWrongAnswers(TooManyRequests):
    slug = "too-many-wrong-answers"


_BY_CODE: dict[str, type[DomainError]] = {
    "unknown_quest": QuestNotFound,
    "unknown_step": QuestNotFound,
    "not_quiz": NotAQuiz,
    "completed": QuestAlreadyCompleted,
    "cooldown": QuestCoolingDown,
    "prerequisites": PrerequisitesMissing,
    "schedule": OutsideSchedule,
    "closed": OutsideSchedule,
    "not_started": QuestNotStarted,
    "not_next": StepNotOpen,
    "not_at_site": NotAtSite,
    "wrong_answer": WrongAnswer,
}


def as_domain_error(refusal: Refusal) -> DomainError:
    error = _BY_CODE.get(refusal.code, Conflict)
    return error(refusal.detail, code=refusal.code, **refusal.extra)
