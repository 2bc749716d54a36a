"""ASGI entry point: Django for HTTP, Channels consumers for WebSockets."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
# Django must be set up before anything imports models (the consumers do).
django.setup(set_prefix=False)

from lms.handlers import ASGIHandler  # noqa: E402

# Django's get_asgi_application(), with each request's middleware and view run in one
# thread hand-off (lms/handlers.py).
django_asgi_app = ASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from lms.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
