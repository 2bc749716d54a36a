"""Every WebSocket route of the platform, gathered from the apps that serve them."""

from live.routing import websocket_urlpatterns as live_routes

websocket_urlpatterns = [*live_routes]
