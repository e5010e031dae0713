"""Sending the portal's e-mails (reminders of documents and of rectification): one SMTP
connection for a batch, and the reason for each failure in words a manager can pass on."""

import contextlib
import logging
import smtplib
import socket
from collections.abc import Iterator

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext as _

logger = logging.getLogger("portal.mail")


def deliver(messages: list[EmailMessage]) -> Iterator[Exception | None]:
    """Send the messages over one connection, yielding each one's outcome in order (None
    when sent) as soon as it is known, so that the caller records it at once.

    A server that cannot be reached fails the whole batch once (within EMAIL_TIMEOUT),
    not once per message; a refused message fails only itself; a connection lost half-way
    fails the rest with the same error. Every smtplib error is an OSError, as is a refused
    or timed-out connection.
    """
    if not messages:
        return
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except OSError as error:
        logger.error("mail not sent: the mail server cannot be reached: %r", error)
        for _message in messages:
            yield error
        return
    try:
        lost = None
        for message in messages:
            if lost is not None:
                yield lost
                continue
            try:
                message.connection = connection
                message.send()
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
                logger.warning("mail to %s refused: %r", ", ".join(message.to), error)
                outcome = error
            except OSError as error:  # the connection is gone: the rest would fail the same way
                logger.error("mail stopped: the mail server connection failed: %r", error)
                lost = outcome = error
            else:
                outcome = None
            yield outcome
    finally:
        with contextlib.suppress(OSError):  # what was sent is sent and recorded already
            connection.close()


def failure_reason(error: Exception) -> str:
    """Why a message was not sent, in words a manager can pass on to the administrator."""
    host = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    if isinstance(error, socket.gaierror):
        return _("the mail server %(host)s was not found") % {"host": settings.EMAIL_HOST}
    if isinstance(error, ConnectionRefusedError):
        return _("the mail server %(host)s refused the connection") % {"host": host}
    if any(isinstance(e, TimeoutError) for e in _chain(error)):
        # smtplib reports a silent server as "Connection unexpectedly closed: timed out"
        return _("the mail server %(host)s did not answer within %(seconds)s seconds") % {
            "host": host,
            "seconds": settings.EMAIL_TIMEOUT,
        }
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = "; ".join(
            f"{address} {code} {_decoded(text)}"
            for address, (code, text) in error.recipients.items()
        )
        return _("the mail server refused the recipients (%(answers)s)") % {"answers": answers}
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return _("the mail server did not accept the portal's user name or password")
    if isinstance(error, smtplib.SMTPResponseException):
        return _("the mail server answered %(code)s %(text)s") % {
            "code": error.smtp_code,
            "text": _decoded(error.smtp_error),
        }
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return _("the mail server %(host)s closed the connection") % {"host": host}
    return _("the mail server %(host)s cannot be reached (%(error)s)") % {
        "host": host,
        "error": error,
    }


def _chain(error: BaseException):
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


def _decoded(text) -> str:
    return (text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text))[:200]
