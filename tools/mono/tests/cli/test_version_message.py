"""`version` says what its users by version now require, in grammar that fits one or several."""

from __future__ import annotations

from mono.cli.version import waiting_message
from mono.commands.version import VersionBump


def test_one_user_requires_and_several_require() -> None:
    one = VersionBump("core", "0.1.0", "0.2.0", ("core",), ("web",))
    assert waiting_message(one) == "version: web now requires core ^0.2.0; `./mono publish core` relocks it"
    two = VersionBump("core", "0.1.0", "0.2.0", ("core",), ("api", "web"))
    assert waiting_message(two) == "version: api, web now require core ^0.2.0; `./mono publish core` relocks them"
