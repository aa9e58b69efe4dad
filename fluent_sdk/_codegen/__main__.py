"""``python -m fluent_sdk._codegen [--check]``: regenerate (or check) ``fluent_sdk/_generated/``."""

from __future__ import annotations

import sys

from fluent_sdk._codegen.generate import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
