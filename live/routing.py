from django.urls import path

from live import consumers

websocket_urlpatterns = [
    path("ws/heartbeat/", consumers.HeartbeatConsumer.as_asgi()),
]
