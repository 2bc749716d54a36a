"""The live classroom's own error (the others are lms.exceptions)."""

from lms.exceptions import ServiceError


class NotFound(ServiceError):
    """No such session, or not one this user may enter (the two look the same); no such
    message, question, poll or peer in it."""

    status = 404
