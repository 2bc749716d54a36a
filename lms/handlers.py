"""The ASGI handler of the platform's HTTP requests.

Django's ASGI handler costs a request about 3 ms of CPU more than its WSGI handler does
for the same work (`benchmarks/profile_requests.py --handler asgi` against `wsgi`), more
than an autosave's own work. Two things made most of it, and this handler changes both:

- Django gives each request a thread of its own (asgiref's ThreadSensitiveContext), a new
  one every time, with its own new database connection object. Here a request borrows a
  one-thread executor that earlier requests used (asgiref lets a context be given one), so
  the thread and its connection object live on; a request still has its thread to itself,
  and everything of it that Django runs "thread-sensitively" runs there, as before.
- Django runs the middleware asynchronously, wrapping each one not written for async (and
  each view hook of the others) in `sync_to_async`: a hand-off to the thread and back for
  each. Here the middleware chain is built as the WSGI handler builds it and runs, view
  included, in one hand-off.

Everything else is Django's ASGI handler (reading the body, request_started/finished,
watching for a client that leaves, sending or streaming the response); async views still
work (Django runs them with `async_to_sync`, as under WSGI). WebSockets do not come here.
"""

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler as DjangoASGIHandler


class ASGIHandler(DjangoASGIHandler):
    def __init__(self):
        super().__init__()
        self._idle_executors: list[ThreadPoolExecutor] = []

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)  # the synchronous chain, as under WSGI

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        idle = self._idle_executors
        executor = idle.pop() if idle else ThreadPoolExecutor(1, thread_name_prefix="request")
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            idle.append(executor)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
