# SPDX-License-Identifier: GPL-2.0-or-later
"""A short round of the randomised bad-input run (make fuzz runs a long one)."""

import unittest

import fuzz
from common import TempDirTest


class ShortFuzz(TempDirTest):
    def test_mutated_tables_never_crash(self):
        failures = fuzz.fuzz(40, 7, self.tmp)
        self.assertEqual(failures, [], "\n".join(failures))


if __name__ == "__main__":
    unittest.main()
