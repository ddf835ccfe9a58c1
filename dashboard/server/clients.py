"""Who is on the other end of a request: the peer, or the client a trusted proxy names.

X-Forwarded-For is believed only when the peer is one of TRUSTED_PROXIES; then the client
is the nearest address in it that is not itself a trusted proxy (anything further left
could have been written by the client).
"""

from __future__ import annotations

import ipaddress


def parse_trusted(value: str) -> list:
    """TRUSTED_PROXIES (comma-separated addresses or networks, ``10.0.0.0/8``) as networks."""
    networks = []
    for item in value.split(","):
        item = item.strip()
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError as exc:
                raise RuntimeError(f"TRUSTED_PROXIES: {item!r} is not an address or network") from exc
    return networks


def is_trusted(address: str | None, trusted: list) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(remote_addr: str | None, forwarded_for: str | None, trusted: list) -> str:
    peer = remote_addr or "unknown"
    if not forwarded_for or not is_trusted(peer, trusted):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a malformed entry: count the request against the proxy itself
        if not is_trusted(hop, trusted):
            return hop
    return peer
