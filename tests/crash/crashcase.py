# SPDX-License-Identifier: GPL-2.0-or-later
"""What every crash test module shares: the e2e helpers (binaries, golden data,
temporary folders) and the reason to skip when crash cannot run here."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

from common import GOLDEN, REPO, TempDirTest, mpiplctl  # noqa: E402,F401
from crashrun import crash_missing  # noqa: E402

# None, or why the crash tests are skipped (printed by unittest)
CRASH_SKIP = crash_missing()
