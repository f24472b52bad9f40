"""Where a webhook may go: https to globally routable addresses, checked when sent, connected to as checked.

A partner registers a URL and referral calls it from inside the network, so a URL is a way in
(server-side request forgery) unless every address it leads to is checked: at registration for an
address written into the URL (in any numeric form), and at send time after the name is resolved,
every address the name resolves to. The request then goes to the address that was checked (no
second lookup a DNS answer could change in between), with the original Host header and TLS server
name, and never follows a redirect. `allowed_networks` admits private partner networks (HSCN, a VPN).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# host, port -> the addresses it resolves to (strings, as getaddrinfo gives them).
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

# The coarse outcome of an attempt: all a partner is shown, never the remote error text or body.
DELIVERED, REFUSED_ADDRESS, FAILED_HTTP_STATUS = "delivered", "refused_address", "failed_http_status"
TIMEOUT, CONNECTION_FAILED = "timeout", "connection_failed"
OUTCOMES = (DELIVERED, REFUSED_ADDRESS, FAILED_HTTP_STATUS, TIMEOUT, CONNECTION_FAILED)

_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_LOCAL_NAMES = ("localhost", "localhost.", "localhost.localdomain")


class RefusedAddress(Exception):
    """A webhook URL, or an address its host resolves to, is not one referral may call."""


@dataclass(frozen=True)
class Policy:
    """Which URLs may be called: https only unless `allow_http`; private networks only if listed."""

    allow_http: bool = False
    allowed_networks: tuple[IPNetwork, ...] = field(default=())

    @classmethod
    def of(cls, settings) -> Policy:
        return cls(allow_http=settings.webhook_allow_http,
                   allowed_networks=tuple(ipaddress.ip_network(n, strict=False)
                                          for n in settings.webhook_allowed_networks))

    def admits(self, address: IPAddress) -> bool:
        """A globally routable unicast address, or one inside an allow-listed network."""
        if address.is_unspecified or address.is_multicast:
            return False
        if any(address.version == n.version and address in n for n in self.allowed_networks):
            return True
        return all(globally_routable(a) for a in _embedded(address))


def globally_routable(address: IPAddress) -> bool:
    """Not loopback, private, link-local (169.254.169.254 too), shared, multicast, reserved or unspecified."""
    return (address.is_global and not address.is_multicast and not address.is_reserved
            and not address.is_private and not address.is_loopback and not address.is_link_local
            and not address.is_unspecified)


def _embedded(address: IPAddress) -> list[IPAddress]:
    """The address and every IPv4 address an IPv6 form carries (mapped, 6to4, Teredo, NAT64)."""
    found: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            found.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            found.append(address.sixtofour)
        if address.teredo is not None:
            found.extend(address.teredo)
        if any(address in n for n in _NAT64):
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as a number stands for, in any form a resolver accepts; else None.

    Dotted, decimal (2130706433), hexadecimal (0x7f000001), octal (017700000001) and short (127.1)
    IPv4 forms all mean 127.0.0.1 to `inet_aton`; an IPv6 literal may come in brackets.
    """
    bare = host.strip("[]").split("%")[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if bare.replace(".", "").isalnum() and all(part for part in bare.split(".")):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def check_url(url: str, policy: Policy) -> None:
    """Refuse, at registration, a URL that can never be called: wrong scheme, a local name or address."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and policy.allow_http):
        raise RefusedAddress("only https URLs are accepted")
    host = (parts.hostname or "").lower()
    if not host:
        raise RefusedAddress("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise RefusedAddress("the URL may not carry a user name or password")
    if host in _LOCAL_NAMES or host.rstrip(".").endswith(".localhost"):
        raise RefusedAddress("the URL names this machine")
    address = literal_address(host)
    if address is not None and not policy.admits(address):
        raise RefusedAddress("the URL's address is not publicly routable")


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for a host (A and AAAA)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


@dataclass(frozen=True)
class Target:
    """A checked URL: the address to connect to, and the name to present in Host and TLS."""

    url: httpx.URL
    address: IPAddress
    host: str

    def request_url(self) -> httpx.URL:
        """The URL with its host replaced by the checked address: no second lookup."""
        return self.url.copy_with(host=str(self.address))

    def extensions(self) -> dict:
        """The TLS server name (and so the certificate checked) stays the original host's."""
        return {"sni_hostname": self.host} if self.url.scheme == "https" else {}

    def host_header(self) -> str:
        default = {"http": 80, "https": 443}[self.url.scheme]
        port = self.url.port
        return self.url.host if port in (None, default) else f"{self.url.host}:{port}"


async def resolve(url: str, policy: Policy, resolver: Resolver) -> Target:
    """Check a URL again at send time and pick the address to call; RefusedAddress if any is not allowed.

    Every address the name resolves to must be allowed, not only the first: a name that answers
    with a public and a private address is refused, so no answer can steer the call inside.
    """
    check_url(url, policy)
    parsed = httpx.URL(url)
    host = parsed.host
    address = literal_address(host)
    if address is not None:
        addresses: Iterable[IPAddress] = [address]
    else:
        port = parsed.port or {"http": 80, "https": 443}[parsed.scheme]
        try:
            answers = await resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise ConnectionError("the host did not resolve") from exc
        addresses = [a for a in (literal_address(str(answer)) for answer in answers) if a is not None]
        if not addresses:
            raise ConnectionError("the host did not resolve")
    addresses = list(addresses)
    if not all(policy.admits(a) for a in addresses):
        raise RefusedAddress("the host resolves to an address that is not publicly routable")
    return Target(parsed, addresses[0], host)
