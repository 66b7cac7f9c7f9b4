"""The shared greeting library of the example projects."""


def helloworld(name: str) -> str:
    """Return the greeting for ``name``, e.g. ``"Hello world christopher"``."""
    return f"Hello world {name}"


__all__ = ["helloworld"]
