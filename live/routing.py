from django.urls import path

from live import consumers

websocket_urlpatterns = [
    path("ws/heartbeat/", consumers.HeartbeatConsumer.as_asgi()),
    path("ws/live/<int:session_id>/", consumers.ClassroomConsumer.as_asgi()),
]
