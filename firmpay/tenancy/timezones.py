"""The time zone picker: the firm's country's zones first, under friendly names, then the
world's other zones by region; none of tzdata's odd entries ("Factory", "localtime",
"posixrules", "Etc/GMT+5", "US/Eastern" aliases...). A country's first zone is its default."""

from __future__ import annotations

import zoneinfo
from functools import cache

COUNTRY_ZONES: dict[str, list[tuple[str, str]]] = {
    "US": [
        ("America/New_York", "Eastern (New York)"),
        ("America/Chicago", "Central (Chicago)"),
        ("America/Denver", "Mountain (Denver)"),
        ("America/Phoenix", "Mountain, no DST (Phoenix)"),
        ("America/Los_Angeles", "Pacific (Los Angeles)"),
        ("America/Anchorage", "Alaska (Anchorage)"),
        ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ],
    "GB": [("Europe/London", "United Kingdom (London)")],
    "IE": [("Europe/Dublin", "Ireland (Dublin)")],
    "CA": [
        ("America/Toronto", "Eastern (Toronto)"),
        ("America/Vancouver", "Pacific (Vancouver)"),
        ("America/Edmonton", "Mountain (Edmonton)"),
        ("America/Winnipeg", "Central (Winnipeg)"),
        ("America/Regina", "Saskatchewan (Regina)"),
        ("America/Halifax", "Atlantic (Halifax)"),
        ("America/St_Johns", "Newfoundland (St. John's)"),
    ],
    "AU": [
        ("Australia/Sydney", "New South Wales (Sydney)"),
        ("Australia/Melbourne", "Victoria (Melbourne)"),
        ("Australia/Brisbane", "Queensland (Brisbane)"),
        ("Australia/Adelaide", "South Australia (Adelaide)"),
        ("Australia/Perth", "Western Australia (Perth)"),
        ("Australia/Hobart", "Tasmania (Hobart)"),
        ("Australia/Darwin", "Northern Territory (Darwin)"),
    ],
    "NZ": [("Pacific/Auckland", "New Zealand (Auckland)"), ("Pacific/Chatham", "Chatham Islands")],
    "JP": [("Asia/Tokyo", "Japan (Tokyo)")],
    "KW": [("Asia/Kuwait", "Kuwait")],
}
REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe",
           "Indian", "Pacific")  # fmt: skip


def timezone_default(country: str) -> str:
    zones = COUNTRY_ZONES.get(country)
    return zones[0][0] if zones else "UTC"


@cache
def _world() -> tuple[tuple[str, str], ...]:
    names = [
        name
        for name in zoneinfo.available_timezones()
        if name.split("/", 1)[0] in REGIONS and "/" in name
    ]
    return (("UTC", "UTC"),) + tuple((name, name.replace("_", " ")) for name in sorted(names))


def timezone_choices(country: str, *, keep: str = "") -> list:
    """Grouped choices for a <select>: the country's zones, then every other zone.
    `keep`: a stored value outside the list (an old alias) stays selectable."""
    from firmpay.tenancy.models import COUNTRY_CHOICES

    mine = COUNTRY_ZONES.get(country, [])
    taken = {name for name, _ in mine}
    others = [(name, label) for name, label in _world() if name not in taken]
    if keep and keep not in taken and keep not in {name for name, _ in others}:
        others.insert(0, (keep, keep))
    groups = []
    if mine:
        groups.append((dict(COUNTRY_CHOICES).get(country, country), mine))
    groups.append(("Other time zones", others))
    return groups
