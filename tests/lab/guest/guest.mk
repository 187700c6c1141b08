# SPDX-License-Identifier: GPL-2.0
#
# The lab guest agent, which runs commands in a lab VM for the host over
# virtio-serial (host side: tests/lab/lablib/agent.py). Static: the
# initramfs has busybox and no libc. Its test runs it on the host:
# tests/lab/guest/test_agent.py.

AGENT_SRC := tests/lab/guest/vigil-agent.c

$(B)/lab/vigil-agent: $(AGENT_SRC)
	@mkdir -p $(B)/lab
	$(CC) -std=gnu11 -static -O2 $(WARN) -D_GNU_SOURCE -o $@ $(AGENT_SRC)

.PHONY: lab-agent
lab-agent: $(B)/lab/vigil-agent

# The rogue node's frame capture/replay/forgery tool (lab scenarios only).
$(B)/lab/vigil-rogue: tests/lab/guest/vigil-rogue.c
	@mkdir -p $(B)/lab
	$(CC) -std=gnu11 -static -O2 $(WARN) -D_GNU_SOURCE -o $@ $<

lab-agent: $(B)/lab/vigil-rogue

# The stall proof's record sender (scenario 20-stall): reads the lease
# over raw generic netlink, so it needs the uapi header and no libnl.
$(B)/lab/vigil-recorder: tests/lab/guest/vigil-recorder.c uapi/linux/vigil.h
	@mkdir -p $(B)/lab
	$(CC) -std=gnu11 -static -O2 $(WARN) -D_GNU_SOURCE -isystem uapi -o $@ $<

lab-agent: $(B)/lab/vigil-recorder
