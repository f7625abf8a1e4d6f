#!/usr/bin/env python3
"""A slow, lossy Ethernet wire between two lab namespaces, in user space.

The lab's kernel may lack tc netem (CONFIG_NET_SCH_NETEM), so this does its job: it opens a TAP
device in each namespace and copies every frame across after DELAY_MS, dropping LOSS_PERCENT of
them at random, each direction on its own. It runs until killed (or a device goes away); the TAP
devices vanish with it.

  wire.py NS_A DEV_A NS_B DEV_B DELAY_MS LOSS_PERCENT

It ends up inside NS_B, so removing NS_B's namespace (lab.sh kills its processes) stops it.
Standard library only (ctypes for setns, which os gains only in Python 3.12).
"""
import collections
import ctypes
import fcntl
import os
import random
import select
import signal
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000

libc = ctypes.CDLL(None, use_errno=True)


def enter(ns):
    fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns {ns}: {os.strerror(err)}")
    os.close(fd)


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def main():
    ns_a, dev_a, ns_b, dev_b, delay_ms, loss = sys.argv[1:7]
    delay = float(delay_ms) / 1000
    loss = float(loss) / 100
    enter(ns_a)
    fd_a = open_tap(dev_a)
    enter(ns_b)
    fd_b = open_tap(dev_b)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)

    # One FIFO per direction: the delay is constant, so frames leave in the order they came.
    queues = {fd_a: collections.deque(), fd_b: collections.deque()}  # keyed by destination
    other = {fd_a: fd_b, fd_b: fd_a}
    while True:
        now = time.monotonic()
        for dst, queue in queues.items():
            while queue and queue[0][0] <= now:
                _, frame = queue.popleft()
                try:
                    os.write(dst, frame)
                except BlockingIOError:
                    pass  # the device is full: the frame is lost, as on a wire
        due = [q[0][0] for q in queues.values() if q]
        timeout = max(0.0, min(due) - now) if due else None
        readable, _, _ = select.select([fd_a, fd_b], [], [], timeout)
        for src in readable:
            while True:
                try:
                    frame = os.read(src, 65536)
                except BlockingIOError:
                    break
                if not frame:
                    return
                if random.random() >= loss:
                    queues[other[src]].append((time.monotonic() + delay, frame))


if __name__ == "__main__":
    try:
        main()
    except OSError as error:
        # A device removed with its namespace: the wire is cut, nothing to report.
        print(f"wire: {error}", file=sys.stderr)
