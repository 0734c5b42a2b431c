/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * On-memory formats of the MPIPL firmware tables (all big-endian):
 * MDST/MDDT/MDRT entries, the processor dump area and thread register
 * records (spec mpipl.md sections 1, 2 and 4).
 */
#ifndef MPIPL_MPIPL_HDAT_H
#define MPIPL_MPIPL_HDAT_H

#include <stdbool.h>
#include <stdint.h>

/* skiboot marks every address it hands to firmware with the HRMOR bit (bit 63). */
#define HRMOR_BIT 0x8000000000000000ULL

/* skiboot relocates itself to SKIBOOT_BASE (include/mem-map.h). */
#define DEFAULT_SKIBOOT_BASE 0x30000000ULL

/* Fixed offsets from the relocated base. */
#define MDRT_OFF 0x1C00000ULL     /* MDRT, both skiboot generations */
#define METADATA_OFF 0x1C08000ULL /* skiboot's struct mpipl_metadata */

#define MDST_ENTRY_SIZE 16u
#define MDRT_ENTRY_SIZE 32u
#define MDST_MAX_ENTRIES 64u   /* 0x400 bytes of table */
#define MDRT_MAX_ENTRIES 1024u /* 0x8000 bytes of table */
#define PROC_AREA_SIZE 48u

/* data_region codes (skiboot include/opal-dump.h). */
enum {
	REGION_CONSOLE = 0x01,
	REGION_HBRT_LOG = 0x02,
	REGION_OPAL = 0x03,
	REGION_KERNEL = 0x80,
};

/* An MDST or MDDT entry. */
struct mdst_entry {
	uint64_t raw_addr; /* as stored, HRMOR included */
	uint64_t addr;     /* HRMOR cleared */
	uint8_t region;
	uint8_t dump_type;
	uint16_t reserved;
	uint32_t size;
};

struct mdrt_entry {
	uint64_t src;
	uint64_t dest;
	uint8_t region;
	uint8_t dump_type;
	uint16_t reserved;
	uint32_t size;
	uint64_t padding;
};

struct proc_dump_area {
	uint32_t thread_size;
	uint8_t version;
	uint8_t reserved[11];
	uint64_t alloc_addr; /* raw, HRMOR included */
	uint32_t reserved2;
	uint32_t alloc_size;
	uint64_t dest_addr; /* raw, HRMOR included */
	uint32_t reserved3;
	uint32_t act_size;
};

/* Thread register record header (24 bytes) and entries (16 bytes). */
#define THREAD_HDR_SIZE 24u
#define REG_ENTRY_SIZE 16u
/* Linux reads entries at header + 8 + offset: 8 is where `offset` sits. */
#define THREAD_OFFSET_FIELD_POS 8u

enum {
	REG_TYPE_GPR = 0x01,
	REG_TYPE_SPR = 0x02,
};

/* Pseudo-SPR numbers the firmware uses for non-SPR registers (Linux opal-fadump.h). */
enum {
	REG_ID_NIP = 0x7D0,
	REG_ID_MSR = 0x7D1,
	REG_ID_CCR = 0x7D2,
};

struct thread_hdr {
	uint32_t pir;
	uint8_t core_state;
	uint8_t reserved[3];
	uint32_t offset;
	uint32_t ecnt;
	uint32_t esize;
	uint32_t eactsz;
};

struct reg_entry {
	uint32_t type;
	uint32_t num;
	uint64_t val;
};

const char *region_name(uint8_t region);

void mdst_entry_decode(const uint8_t raw[MDST_ENTRY_SIZE], struct mdst_entry *e);
bool mdst_entry_is_terminator(const struct mdst_entry *e);
void mdrt_entry_decode(const uint8_t raw[MDRT_ENTRY_SIZE], struct mdrt_entry *e);
void mdrt_entry_encode(const struct mdrt_entry *e, uint8_t raw[MDRT_ENTRY_SIZE]);
void proc_area_decode(const uint8_t raw[PROC_AREA_SIZE], struct proc_dump_area *p);
void proc_area_encode(const struct proc_dump_area *p, uint8_t raw[PROC_AREA_SIZE]);
void thread_hdr_decode(const uint8_t raw[THREAD_HDR_SIZE], struct thread_hdr *h);
void thread_hdr_encode(const struct thread_hdr *h, uint8_t raw[THREAD_HDR_SIZE]);
void reg_entry_decode(const uint8_t raw[REG_ENTRY_SIZE], struct reg_entry *e);
void reg_entry_encode(const struct reg_entry *e, uint8_t raw[REG_ENTRY_SIZE]);

#endif
