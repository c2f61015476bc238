"""The incubation app's shared cache (see center.caching): one data version for all its data,
changed whenever any of its models is written."""

from __future__ import annotations

from center.caching import Namespace

DATA = Namespace("incubation", apps=("incubation",))
