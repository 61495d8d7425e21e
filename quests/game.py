"""The quest domain's one entry point, for REST and the socket alike.

`Game` keeps what outlives a unit of work (the settings, the backend, the rules of the current
content) and hands out one `GameService` per unit of work: `POST /v1/quests/{slug}/start` and
the socket's `start` frame both call `Game.service(...).start`, a visit on the socket calls
`record_visit` on the same service, the sweep `react_to_pending`. No use case is written twice
and no signature is copied: the transports call the service's own methods.

What the socket judges without a unit of work (whether a visit is quiet, whether connecting
starts quests) are the pure functions of `quests.view`, run on `Game.engine(bundle)`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from content.model import Bundle
from game_server.kit.pubsub import Backend
from game_server.kit.settings import KernelSettings
from quests.engine import Engine
from quests.service import GameService
from quests.social.settings import SocialSettings


class Game:
    def __init__(
        self,
        settings: KernelSettings | None = None,
        backend: Callable[[], Backend | None] | None = None,
        *,
        social: SocialSettings | None = None,
    ) -> None:
        self.settings = settings
        self.social = social
        # The backend exists only once the app's lifespan has started: ask for it late.
        self._backend = backend or (lambda: None)
        self._engine: Engine | None = None

    def engine(self, bundle: Bundle) -> Engine:
        """The rules of `bundle`, built once per content version."""
        if self._engine is None or self._engine.bundle is not bundle:
            self._engine = Engine(bundle)
        return self._engine

    def service(self, session: AsyncSession, bundle: Bundle) -> GameService:
        """The game on one unit of work (`session`), with the rules of `bundle`."""
        return GameService(
            session,
            bundle,
            self.settings,
            self._backend(),
            social=self.social,
            engine=self.engine(bundle),
        )
