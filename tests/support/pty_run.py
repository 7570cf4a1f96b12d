"""Runs a program on a pseudo-terminal, as a user at a shell would, for the tests.

Usage: pty_run.py PROMPT KEYS_HEX PROGRAM [ARG...]

Once PROMPT appears in what the program printed, the bytes KEYS_HEX are typed (b"03" is
Ctrl-C: the terminal turns it into SIGINT for the program). Everything the program printed
goes to stdout; the last line on stderr is `exit CODE`, or `exit hung` when the program was
still running 20 s after the keys (it is then killed).
"""

import os
import pty
import select
import signal
import sys
import time

prompt = sys.argv[1].encode()
keys = bytes.fromhex(sys.argv[2])
argv = sys.argv[3:]

pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)

output = b""
typed_at = None
started = time.time()
exited = None
while True:
    now = time.time()
    if typed_at is None and now - started > 60:
        break
    if typed_at is not None and now - typed_at > 20:
        break
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        output += chunk
        if not chunk:
            done, status = os.waitpid(pid, 0)
            exited = os.waitstatus_to_exitcode(status)
            break
    if typed_at is None and prompt in output:
        os.write(fd, keys)
        typed_at = time.time()
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        exited = os.waitstatus_to_exitcode(status)
        break

if exited is None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
# What the program printed last, still buffered in the terminal.
while select.select([fd], [], [], 0.1)[0]:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    output += chunk
sys.stdout.buffer.write(output)
sys.stdout.flush()
sys.stderr.write("exit %s\n" % ("hung" if exited is None else exited))
