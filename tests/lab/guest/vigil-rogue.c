// SPDX-License-Identifier: GPL-2.0
/*
 * vigil-rogue: a node without the cluster key, for the lab. It captures
 * heartbeat frames from an interface (AF_PACKET), then sends them back
 * unchanged (replays) or altered (forgeries), so that a scenario can check
 * that none of it changes the cluster and that the right counters rise.
 *
 *	vigil-rogue capture IFACE ETHERTYPE COUNT FILE
 *	vigil-rogue send IFACE FILE MODE [REPEAT]
 *
 * FILE holds frames as (u32 length, bytes), host byte order. MODE:
 *	replay		each frame as captured
 *	flip		one byte of the payload/MAC area inverted
 *	cluster		another cluster id
 *	version		another protocol version
 *	magic		another magic
 *	truncate	the last 10 bytes dropped
 *	oversize	300 bytes appended
 *	garbage		random bytes of the same length, after the header
 * Frames go out with the rogue's own source MAC.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#define FRAME_MAX 2048

static int open_packet(const char *ifname, int ethertype, struct sockaddr_ll *sll,
		       unsigned char mac[ETH_ALEN])
{
	struct ifreq ifr;
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW, htons(ethertype));
	if (fd < 0) {
		perror("socket(AF_PACKET)");
		return -1;
	}
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_protocol = htons(ethertype);
	sll->sll_ifindex = if_nametoindex(ifname);
	if (!sll->sll_ifindex) {
		fprintf(stderr, "vigil-rogue: no interface `%s'\n", ifname);
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)sll, sizeof(*sll)) < 0) {
		perror("bind");
		close(fd);
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror("SIOCGIFHWADDR");
		close(fd);
		return -1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	return fd;
}

static int capture(const char *ifname, int ethertype, long count, const char *path)
{
	unsigned char mac[ETH_ALEN], buf[FRAME_MAX];
	struct sockaddr_ll sll;
	struct timeval tv = { .tv_sec = 10 };
	FILE *f;
	long n;
	int fd;

	fd = open_packet(ifname, ethertype, &sll, mac);
	if (fd < 0)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		close(fd);
		return 1;
	}
	for (n = 0; n < count; n++) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		__u32 l;

		if (len < 0) {
			fprintf(stderr, "vigil-rogue: capture: %s after %ld frames\n",
				strerror(errno), n);
			break;
		}
		l = len;
		fwrite(&l, sizeof(l), 1, f);
		fwrite(buf, 1, len, f);
	}
	fclose(f);
	close(fd);
	printf("captured %ld frames\n", n);
	return n == count ? 0 : 1;
}

static size_t mutate(const char *mode, unsigned char *buf, size_t len)
{
	const size_t hdr = ETH_HLEN;	/* the vigil frame starts after it */

	if (!strcmp(mode, "replay"))
		return len;
	if (!strcmp(mode, "flip")) {
		buf[len - 40] ^= 0xff;
		return len;
	}
	if (!strcmp(mode, "cluster")) {
		buf[hdr + 8] ^= 0x5a;
		return len;
	}
	if (!strcmp(mode, "version")) {
		buf[hdr + 4] += 7;
		return len;
	}
	if (!strcmp(mode, "magic")) {
		buf[hdr] ^= 0xff;
		return len;
	}
	if (!strcmp(mode, "truncate"))
		return len - 10;
	if (!strcmp(mode, "oversize")) {
		memset(buf + len, 0xa5, 300);
		return len + 300;
	}
	if (!strcmp(mode, "garbage")) {
		if (getrandom(buf + hdr, len - hdr, 0) < 0)
			perror("getrandom");
		return len;
	}
	return 0;
}

static int send_frames(const char *ifname, const char *path, const char *mode, long repeat)
{
	unsigned char mac[ETH_ALEN], buf[FRAME_MAX + 400];
	struct sockaddr_ll sll;
	long sent = 0, r;
	FILE *f;
	int fd;
	__u32 l;

	f = fopen(path, "r");
	if (!f) {
		perror(path);
		return 1;
	}
	fd = open_packet(ifname, ETH_P_ALL, &sll, mac);
	if (fd < 0) {
		fclose(f);
		return 1;
	}
	for (r = 0; r < repeat; r++) {
		rewind(f);
		while (fread(&l, sizeof(l), 1, f) == 1) {
			size_t len;

			if (l < ETH_HLEN + 16 || l > FRAME_MAX ||
			    fread(buf, 1, l, f) != l) {
				fprintf(stderr, "vigil-rogue: %s: bad capture file\n", path);
				goto out;
			}
			memcpy(buf + ETH_ALEN, mac, ETH_ALEN);
			len = mutate(mode, buf, l);
			if (!len) {
				fprintf(stderr, "vigil-rogue: unknown mode `%s'\n", mode);
				goto out;
			}
			if (sendto(fd, buf, len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
				perror("sendto");
			else
				sent++;
		}
	}
out:
	fclose(f);
	close(fd);
	printf("sent %ld frames (%s)\n", sent, mode);
	return sent ? 0 : 1;
}

int main(int argc, char *argv[])
{
	if (argc == 6 && !strcmp(argv[1], "capture"))
		return capture(argv[2], (int)strtol(argv[3], NULL, 0), atol(argv[4]), argv[5]);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "send"))
		return send_frames(argv[2], argv[3], argv[4], argc == 6 ? atol(argv[5]) : 1);
	fprintf(stderr, "usage: vigil-rogue capture IFACE ETHERTYPE COUNT FILE\n"
			"       vigil-rogue send IFACE FILE MODE [REPEAT]\n");
	return 2;
}
