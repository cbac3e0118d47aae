"""The sample application's own adapter: one command, registered with the dspex package the bridge ships with."""

from dspex import command


@command("greet")
def greet(args: dict) -> dict:
    return {"greeting": "Hello, %s" % args["name"]}
