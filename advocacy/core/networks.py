"""The social networks the service knows: all of them, and those it can publish to directly."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class Network(StrEnum):
    LINKEDIN = "linkedin"
    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"


# As a Literal for bodies that always declared it inline; a unit test checks it matches `Network`.
NetworkCode = Literal["linkedin", "x", "facebook", "instagram", "mastodon", "bluesky"]
NETWORKS: tuple[NetworkCode, ...] = ("linkedin", "x", "facebook", "instagram", "mastodon", "bluesky")

# The networks with a connector (advocacy/connectors/): a share can be published there on the person's behalf.
ConnectedNetwork = Literal["linkedin", "x", "mastodon", "bluesky"]
CONNECTED_NETWORKS: tuple[ConnectedNetwork, ...] = ("linkedin", "x", "mastodon", "bluesky")
