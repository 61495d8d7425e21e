from tests.quests.conftest import sessions, work

__all__ = ["sessions", "work"]
