"""One HTTP POST to a tenant's endpoint, safely: the host is resolved once, every
address it resolves to must be public (unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES), and the
request goes to the address that was checked (so a DNS answer that changes between the
check and the connection cannot point it inside), with a timeout, and no redirects
followed. TLS still checks the certificate against the URL's host name."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter


class Refused(Exception):
    """Not sent: ``problem`` (a WebhookDelivery.Problem value) and its detail."""

    def __init__(self, problem: str, detail: str = ""):
        super().__init__(f"{problem}: {detail}")
        self.problem, self.detail = problem, detail


def allows_private() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False))


def allows_http() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_HTTP", False))


def forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Private, loopback, link-local (cloud metadata), multicast, reserved, unspecified,
    shared (100.64/10) or an IPv4 address hidden in IPv6."""
    mapped = getattr(address, "ipv4_mapped", None) or getattr(address, "sixtofour", None)
    if mapped is not None and forbidden(mapped):
        return True
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be an endpoint's address (a Problem value), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return "bad_address"
    if parts.scheme != "https" and not (parts.scheme == "http" and allows_http()):
        return "bad_address"
    if not parts.hostname or parts.username or parts.password or parts.fragment:
        return "bad_address"
    return None


def literal_private(url: str) -> bool:
    """A host written as a non-public address (or localhost): refused on the form already;
    names are resolved and checked at each try."""
    if allows_private():
        return False
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return forbidden(ipaddress.ip_address(host))
    except ValueError:
        return False


def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Refused("unresolved", host) from None
    found = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in found:
            found.append(address)
    if not found:
        raise Refused("unresolved", host)
    return found


@dataclass(frozen=True)
class Target:
    url: str  # the URL with the checked address in place of the host name
    host: str  # the URL's host name (TLS name and Host header)
    host_header: str
    address: str


def target_of(url: str) -> Target:
    """The checked address to send to; ``Refused`` when there is none."""
    problem = url_problem(url)
    if problem:
        raise Refused(problem, "")
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    port = parts.port or default
    addresses = resolve(parts.hostname, port)
    if not allows_private():
        # Every address the name gives must be public: a name that also points inside is
        # refused whichever address the connection would have picked.
        for address in addresses:
            if forbidden(address):
                raise Refused("refused_address", str(address))
    address = addresses[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    pinned = urlunsplit((parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
    host_header = parts.hostname if port == default else f"{parts.hostname}:{port}"
    if ":" in parts.hostname and port == default:
        host_header = f"[{parts.hostname}]"
    elif ":" in parts.hostname:
        host_header = f"[{parts.hostname}]:{port}"
    return Target(pinned, parts.hostname, host_header, str(address))


class _PinnedTLS(HTTPAdapter):
    """TLS to an address, checking the certificate (and sending SNI) for the host name."""

    def __init__(self, host: str):
        self._host = host
        super().__init__(max_retries=0)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        pool_kwargs["server_hostname"] = self._host
        pool_kwargs["assert_hostname"] = self._host
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> int:
    """POST ``body``; the answer's status code. Raises ``Refused`` (not sent) and
    ``requests.RequestException`` (sent, or tried, without an answer)."""
    target = target_of(url)
    with requests.Session() as session:
        session.trust_env = False  # no proxy or netrc from the worker's environment
        bundle = getattr(settings, "WEBHOOKS_CA_BUNDLE", "")
        if bundle:
            session.verify = bundle  # receivers whose certificates a private CA signs
        session.mount("http://", HTTPAdapter(max_retries=0))
        session.mount("https://", _PinnedTLS(target.host))
        answer = session.post(
            target.url,
            data=body,
            headers={**headers, "Host": target.host_header},
            timeout=timeout,
            allow_redirects=False,
            stream=True,  # the body is never read
        )
        answer.close()
        return answer.status_code
