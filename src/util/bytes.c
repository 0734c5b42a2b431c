// SPDX-License-Identifier: GPL-2.0-or-later
#include "bytes.h"

const uint8_t zero_block[4096];
