/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Log records as text: the lines kexec-tools' vmcore-dmesg prints
 * ("[%5lu.%06lu] " then the text, bytes that are neither printable nor
 * white space as \xNN, then a newline; no level, caller or device info),
 * and one JSON object per record.
 */
#ifndef MPIPL_LINUX_DMESG_H
#define MPIPL_LINUX_DMESG_H

#include <stddef.h>

#include "printk.h"

/* Longest line either format makes of one record: text of 64 KiB, each byte as \u00XX. */
#define DMESG_LINE_MAX (6u * 65536u + 512u)

/* The vmcore-dmesg line of r into out (DMESG_LINE_MAX bytes); returns its length. */
size_t dmesg_format_text(const struct printk_record *r, char *out);

/*
 * {"seq":..,"ts_nsec":..,"level":..,"caller":"T1"|"C0"|null,"text":".."} and a
 * newline. Text bytes above 0x7f are written as \u00XX (Latin-1), as the
 * kernel text has no declared encoding. Returns the length.
 */
size_t dmesg_format_json(const struct printk_record *r, char *out);

#endif
