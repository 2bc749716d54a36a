"""Every WebSocket route of the platform, gathered from the apps that serve them."""

from live.routing import websocket_urlpatterns as live_routes
from scheduling.routing import websocket_urlpatterns as scheduling_routes

websocket_urlpatterns = [*live_routes, *scheduling_routes]
