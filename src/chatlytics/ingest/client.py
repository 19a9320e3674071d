"""What we keep of the sender: a truncated address and a browser / OS / device class, never the raw
User-Agent or address. Known crawlers are recognised here so the pipeline can drop them."""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from typing import Literal

from crawlerdetect import CrawlerDetect
from ua_parser import parse

IpMode = Literal["truncate", "drop"]
_crawlers = CrawlerDetect()


@dataclass(frozen=True, slots=True)
class ClientInfo:
    ip: str | None
    browser: str | None
    os: str | None
    device: str | None  # desktop | mobile | tablet | bot | other
    is_bot: bool


def truncate_ip(address: str | None, mode: IpMode) -> str | None:
    """IPv4 to its /24, IPv6 to its /48 (as the network's first address), or nothing."""
    if mode == "drop" or not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


@functools.lru_cache(maxsize=4096)
def reduce_user_agent(user_agent: str) -> tuple[str | None, str | None, str, bool]:
    """(browser, os, device class, is_bot) of a User-Agent; the string itself is not kept."""
    if _crawlers.isCrawler(user_agent):
        return None, None, "bot", True
    parsed = parse(user_agent)
    browser = parsed.user_agent.family if parsed.user_agent else None
    system = parsed.os.family if parsed.os else None
    family = parsed.device.family if parsed.device else ""
    if family == "Spider":
        return browser, system, "bot", True
    if (
        "iPad" in family
        or "Tablet" in family
        or (system == "Android" and "Mobile" not in user_agent)
    ):
        device = "tablet"
    elif system in ("iOS", "Android") or "Mobi" in user_agent:
        device = "mobile"
    elif system in (None, "Other"):
        device = "other"
    else:
        device = "desktop"
    return browser, system, device, False


def warm_up() -> None:
    """Build the User-Agent parsers now (a seventh of a second) rather than in the first request."""
    reduce_user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")


def describe_client(user_agent: str | None, address: str | None, mode: IpMode) -> ClientInfo:
    ip = truncate_ip(address, mode)
    if not user_agent:
        return ClientInfo(ip, None, None, None, False)
    browser, system, device, bot = reduce_user_agent(user_agent[:1024])
    return ClientInfo(ip, browser, system, device, bot)


def reduced_client_info(value: object) -> object:
    """A session_start's client_info with any User-Agent string replaced by what we keep of it."""
    if isinstance(value, str):
        browser, system, device, _ = reduce_user_agent(value[:1024])
        return {"browser": browser, "os": system, "device": device}
    if isinstance(value, dict) and isinstance(value.get("user_agent"), str):
        browser, system, device, _ = reduce_user_agent(value["user_agent"][:1024])
        rest = {k: v for k, v in value.items() if k != "user_agent"}
        return {**rest, "browser": browser, "os": system, "device": device}
    return value
