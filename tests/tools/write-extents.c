// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * write-extents: the floor of writing a sparse image (make bench).
 *
 *   write-extents LIST OUT
 *
 * LIST holds one data extent per line ("OFFSET LENGTH", decimal), as
 * `write-extents --list IMAGE > LIST` prints them from an image's
 * SEEK_DATA/SEEK_HOLE map. The timed run creates OUT with the same size and
 * writes those extents from memory (a hot buffer, no input read, one write
 * per extent up to 4 MiB): the least any tool that writes that image through
 * the page cache must spend, to compare a reader's time with.
 * Exit status: 0 done, 2 an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (4u << 20)

static int list_extents(const char *path)
{
	int fd = open(path, O_RDONLY);
	off_t end, data = 0, hole;

	if (fd < 0) {
		perror(path);
		return 2;
	}
	end = lseek(fd, 0, SEEK_END);
	printf("size %lld\n", (long long)end);
	while (data < end) {
		data = lseek(fd, data, SEEK_DATA);
		if (data < 0)
			break; /* ENXIO: only a hole is left */
		hole = lseek(fd, data, SEEK_HOLE);
		printf("%lld %lld\n", (long long)data, (long long)(hole - data));
		data = hole;
	}
	close(fd);
	return 0;
}

static int write_all(int fd, const uint8_t *buf, size_t len, off_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_extents(const char *list, const char *out)
{
	FILE *f = fopen(list, "r");
	uint8_t *buf = malloc(CHUNK);
	long long size, off, len;
	int fd = -1, rc = 2;

	if (!f || !buf || fscanf(f, "size %lld", &size) != 1) {
		fprintf(stderr, "write-extents: %s: cannot read the extent list\n", list);
		goto out;
	}
	memset(buf, 0xA5, CHUNK); /* non-zero, and resident before the clock matters */
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, size) < 0) {
		perror(out);
		goto out;
	}
	while (fscanf(f, "%lld %lld", &off, &len) == 2) {
		for (long long done = 0; done < len; done += CHUNK) {
			size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;

			if (write_all(fd, buf, n, off + done)) {
				perror(out);
				goto out;
			}
		}
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (f)
		fclose(f);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--list") == 0)
		return list_extents(argv[2]);
	if (argc == 3)
		return write_extents(argv[1], argv[2]);
	fprintf(stderr, "usage: write-extents --list IMAGE > LIST | write-extents LIST OUT\n");
	return 2;
}
