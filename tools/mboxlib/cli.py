"""What the tools share on the command line: argument types and the
wrapper that runs a tool's main()."""
import argparse
import os
import sys

from .procs import BenchError, Child

# The checkout: tools/mboxlib/cli.py is two folders below it.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ranged(convert, low, high, expected, low_open=False, scale=1):
    """An argparse type: convert(text) from low (or above it) up to high, times scale."""
    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = None
        # Written so that NaN fails too.
        if value is None or not (low < value if low_open else low <= value) or not value <= high:
            raise argparse.ArgumentTypeError(f"'{text}': expected {expected}")
        return value * scale
    return parse


def run_tool(name, main):
    """Runs a tool's main(): a BenchError is reported as `name: error: ...`
    (exit 1), Ctrl-C exits 130, and every child still running is stopped."""
    try:
        main()
    except BenchError as e:
        print(f"{name}: error: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        for child in list(Child.live):
            child.stop()
