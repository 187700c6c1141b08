# SPDX-License-Identifier: GPL-2.0
"""A minimal QMP client: enough for stop, cont, quit and system_reset."""

import json
import socket


class QMPError(Exception):
    pass


def command(sock_path, cmd, args=None, timeout=10.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock_path)
    except OSError as e:
        raise QMPError("cannot connect to QMP at %s: %s" % (sock_path, e.strerror))
    f = s.makefile("rwb")

    def recv():
        # Skip asynchronous events; return the first reply.
        for _ in range(1000):
            line = f.readline()
            if not line:
                raise QMPError("QMP connection closed")
            msg = json.loads(line)
            if "event" in msg:
                continue
            return msg
        raise QMPError("no QMP reply")

    def send(c, a=None):
        req = {"execute": c}
        if a:
            req["arguments"] = a
        f.write(json.dumps(req).encode() + b"\n")
        f.flush()
        rep = recv()
        if "error" in rep:
            raise QMPError("%s: %s" % (c, rep["error"].get("desc", rep["error"])))
        return rep.get("return")

    try:
        greeting = recv()
        if "QMP" not in greeting:
            raise QMPError("not a QMP greeting")
        send("qmp_capabilities")
        return send(cmd, args)
    except socket.timeout:
        raise QMPError("QMP %s timed out" % cmd)
    finally:
        f.close()
        s.close()
