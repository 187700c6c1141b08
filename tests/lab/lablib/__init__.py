# SPDX-License-Identifier: GPL-2.0
"""Python helpers for the vigil QEMU lab (tests/lab/lab)."""
