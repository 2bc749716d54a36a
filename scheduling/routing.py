from django.urls import path

from scheduling import consumers

websocket_urlpatterns = [
    path("ws/coordination/", consumers.CoordinationConsumer.as_asgi()),
]
