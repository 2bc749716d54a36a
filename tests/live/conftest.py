"""Every test starts with a new channel layer: each async test runs in its own event loop,
and channels-redis' core layer keeps locks bound to the loop that first used it."""

import pytest
from channels.layers import channel_layers


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
