#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the end-to-end tests: python3 tests/e2e/run.py [-k PATTERN]
MPIPLCTL and MKIMAGE name the binaries under test (default: build/)."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

if __name__ == "__main__":
    argv = [sys.argv[0], "discover", "-s", HERE, "-p", "test_*.py", "-v"] + sys.argv[1:]
    unittest.main(module=None, argv=argv)
