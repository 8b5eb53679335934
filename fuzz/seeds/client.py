"""Writes the seeds of the `client` fuzz target (its byte format: see fuzz_targets/client.rs).

Usage: python3 fuzz/seeds/client.py fuzz/corpus/client
"""
import os, struct, sys

# The first six bytes pick the configuration; then one function per kind of step of `Run::step`
# (the low nibble of a step's first byte; its high nibble, `t`, moves the clock 100 ms a unit).
def cfg(flags=0, seed=7, base=2, cap=59, attempts=11, offline=2):
    return bytes([flags, seed, base, cap, attempts, offline])

def ans(i=0, v=0, w=0, x=0, ck=0, t=1, extra=b""):
    return bytes([(t << 4) | 0, i, v, w, x, ck]) + extra
def garbage(body, i=0, status=25, ck=0, t=1):   # status 100 + 25*4 = 200
    return bytes([(t << 4) | 6, i, status]) + struct.pack("<H", len(body)) + body + bytes([ck])
def terr(i=0, kind=0, t=1): return bytes([(t << 4) | 7, i, kind])
def timeout(t=0): return bytes([(t << 4) | 8])
def clock(how, amount, t=0): return bytes([(t << 4) | 9, how]) + struct.pack("<H", amount)
def cmd(what, t=1): return bytes([(t << 4) | 10, what])
def take(n=255, t=0): return bytes([(t << 4) | 11, n])
def arrive(n=4, t=0): return bytes([(t << 4) | 12, n])
def save(how, t=0): return bytes([(t << 4) | 13, how])
def lose(i=0, t=0): return bytes([(t << 4) | 14, i])
def busy(i=0, s=0, t=1): return bytes([(t << 4) | 15, i, s])

# jslogin, 201, 200, ticket (with the session cookies), init, statusnotify, getcontact, batch
LOGIN = ans() + ans(v=5) + timeout() + ans() + ans(ck=1) + ans() + ans() + ans() + ans() + take()
SYNC = arrive(3) + ans() + ans() + take() + ans() + timeout()  # synccheck says sync, sync brings 3, synccheck says nothing, the paced next one

seeds = {
    "happy": cfg() + LOGIN + SYNC + arrive(4) + ans() + ans() + take()
             + cmd(0) + cmd(4 | 32) + ans() + ans() + take() + ans(v=1),
    "adversarial-sync": cfg() + LOGIN + arrive(4) + arrive(4) + ans() + ans(v=1 | 2 | 4, w=1)
             + take() + ans(v=2) + ans(v=8 | 16) + take() + ans(v=2) + ans(v=32 | 64, x=10)
             + timeout() + ans(v=2) + ans(v=128 | 16, w=3) + busy() + timeout() + ans(v=2) + ans()
             + take(),
    "crash-resume": cfg(flags=3 << 3) + LOGIN + timeout() + arrive(4) + arrive(4) + ans() + ans(w=2)
             + save(2) + ans() + take(1) + ans() + ans() + save(1) + ans() + take(),
    "push-login": cfg() + LOGIN + SYNC + save(2) + ans(x=12) + ans() + ans() + ans(ck=1)
             + ans() + ans() + ans() + ans() + take() + arrive(2) + ans() + ans() + take(),
    "clock": cfg() + LOGIN + ans(v=1) + clock(4 | 8 | 1, 3600) + timeout() + ans(v=1) + clock(2, 600)
             + clock(4 | 2, 1000) + timeout() + ans() + lose() + clock(1 | 8, 120) + timeout() + take()
             + clock(4, 65535) + terr(kind=1) + timeout() + take(),
    "odd-redirects": cfg(flags=1) + ans() + ans(w=1, extra=bytes([17, 0])) + ans(v=6, extra=bytes([21, 0]))
             + ans(v=6, extra=bytes([6, 2, 5]) + b"x@y?z") + ans(v=5, w=5) + ans(w=6, ck=2 | (5 << 3))
             + ans() + ans() + ans() + ans() + take(),
    "foreign-redirect": cfg() + ans() + ans(w=1, extra=bytes([10, 0])) + take(),
    "cookies": cfg() + ans(ck=3 | (7 << 3)) + ans(ck=4 | (3 << 3)) + ans(ck=6) + ans(ck=1)
             + ans(ck=5, extra=bytes([20]) + b"a=b; Domain=qq.com") + ans(ck=7) + ans(ck=2 | (31 << 3))
             + ans() + ans() + ans() + ans() + take(),
    "back-pressure": cfg(flags=1 << 3) + LOGIN + timeout() + arrive(4) + arrive(4) + arrive(4) + ans() + ans()
             + ans() + ans() + ans() + ans() + take() + timeout() + ans() + ans() + take(1) + timeout() + ans()
             + take(2) + timeout() + ans() + ans() + take(),
    "garbage": cfg() + LOGIN + ans() + garbage(b'{"BaseResponse":{"Ret":0},"AddMsgList":[{"MsgId":"1"},{"MsgId":""},{"MsgId":""}]}')
             + garbage(b"window.synccheck={retcode:\"0\",selector:\"2\"}") + garbage(b"<html>502</html>", status=100)
             + take(),
}
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    open(os.path.join(out, name), "wb").write(data)
