"""Exceptions an adapter raises to give the caller a typed error instead of a plain Python exception."""


class InvalidArguments(ValueError):
    """The call's arguments (or a program's spec) are not what the command accepts; the caller gets InvalidArguments."""
