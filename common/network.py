"""Who is asking: the one client-address function of the portal.

Behind nginx every request comes from nginx's address; the visitor's is the one nginx put
last into X-Forwarded-For. The sign-in lockout (django-axes, AXES_CLIENT_IP_CALLABLE), the
security log and the access log all take the address from here, so that an attacker's
failures lock the attacker's address and not the proxy's, that is everybody's.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """REMOTE_ADDR, or with PROXY_COUNT proxies in front, the address the nearest of them
    saw (never a value the client chose: a client can prepend to X-Forwarded-For, not
    append behind the proxies). None when that is not an IP address."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
