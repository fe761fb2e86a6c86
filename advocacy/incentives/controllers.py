"""Every incentives controller, in the order the app registers them (the order of the API document)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from advocacy.incentives.anti_gaming.controllers import AntiGamingSettingsController, FlagController
from advocacy.incentives.badges.controllers import MyBadgesController
from advocacy.incentives.boards.controllers import BoardController
from advocacy.incentives.challenges.controllers import ChallengeController
from advocacy.incentives.ledger.controllers import KudosController, MyPointsController
from advocacy.incentives.recognition.controllers import RecognitionController
from advocacy.incentives.rewards.controllers import (
    MyRedemptionsController,
    RedemptionController,
    RewardController,
)
from advocacy.incentives.rules.controllers import RulesController

# Litestar lists a controller's routes by method name: this order keeps the document's paths as close as
# possible to their order before the split (the document compares equal key by key, see
# tests/integration/foundation/test_openapi_snapshot.py).
INCENTIVES_HANDLERS: list[ControllerRouterHandler] = [
    MyBadgesController,
    MyPointsController,
    MyRedemptionsController,
    BoardController,
    FlagController,
    RulesController,
    KudosController,
    AntiGamingSettingsController,
    RecognitionController,
    ChallengeController,
    RewardController,
    RedemptionController,
]
