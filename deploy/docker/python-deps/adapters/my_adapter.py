"""An example adapter module: what DSPEX_DSPex__Pool__AdapterModules__0 names. Replace it with your own."""

from dspex import command


@command("python_version")
def python_version(args: dict) -> dict:
    import sys

    return {"executable": sys.executable, "prefix": sys.prefix, "version": sys.version.split()[0]}
