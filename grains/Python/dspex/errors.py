"""Exceptions an adapter raises to give the caller a typed error instead of a plain Python exception."""


class InvalidArguments(ValueError):
    """The call's arguments (or a program's spec) are not what the command accepts; the caller gets InvalidArguments."""


def stream_called_with_exec(what: str) -> str:
    """What the caller of a generator command made with exec (not stream) is told: ``what`` names the command. The
    generator is closed before it runs a line, since answering null and dropping its items would look like success."""
    return ("%s is a stream (a generator): call it with stream (DSPexClient.StreamAsync, `dspex stream`), not exec; "
            "none of its items were produced" % what)


def describe_command(name: object, program: object = None) -> str:
    """A command or program as an error message names it."""
    if program is not None:
        return "the program"
    return "command %r" % name if isinstance(name, str) else "the command"
