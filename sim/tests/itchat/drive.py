"""Drives a whole Web WeChat session with ItChat 1.3.10 (a client nobody here wrote) against
webwx-sim: login, init, contacts, a received message, a reply the simulator records, a friend
renamed in ModContactList, logout.

Usage: python drive.py http://127.0.0.1:PORT
Exits 0 when every step checked out, 1 with a message otherwise.
"""
import html
import html.parser
import json
import sys
import time
import urllib.request

# ItChat 1.3.10 predates Python 3.9, which removed HTMLParser.unescape; give it back the function
# the standard library has kept (html.unescape). Nothing else of ItChat is touched.
if not hasattr(html.parser.HTMLParser, "unescape"):
    html.parser.HTMLParser.unescape = lambda self, s: html.unescape(s)

import itchat  # noqa: E402
from itchat import config as itchat_config  # noqa: E402

BASE = sys.argv[1]
itchat_config.BASE_URL = BASE


def admin(path, payload=None):
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(BASE + "/__sim/" + path, data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read().decode())


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


received = []


@itchat.msg_register(itchat.content.TEXT)
def on_text(msg):
    received.append(msg.text)
    return "echo: " + msg.text


def on_qr(uuid=None, status=None, qrcode=None):
    pass


itchat.auto_login(hotReload=False, qrCallback=on_qr, loginCallback=lambda: None, exitCallback=lambda: None)
core = itchat.originInstance
uin = int(core.loginInfo["wxuin"])
print("logged in as uin %d, nick %s" % (uin, core.storageClass.nickName))

friends = itchat.get_friends(update=False)
rooms = itchat.get_chatrooms(update=False)
mps = itchat.get_mps(update=False)
print("contacts: %d friends, %d groups, %d official accounts" % (len(friends), len(rooms), len(mps)))
if len(friends) < 5:
    fail("expected the simulated friends, got %d" % len(friends))

state = admin("state")
session = [s for s in state["sessions"] if s["uin"] == uin]
if not session or not session[0]["inited"]:
    fail("the simulator saw no webwxinit for uin %d: %s" % (uin, state))

itchat.run(blockThread=False)
sender = session[0]["friends"][0]
admin("sessions/%d/messages" % uin, {"from": sender, "text": "hello itchat 你好"})

deadline = time.time() + 30
sent = []
while time.time() < deadline:
    sent = admin("sessions/%d/sent" % uin)
    if sent:
        break
    time.sleep(0.2)
if received != ["hello itchat 你好"]:
    fail("itchat received %r" % (received,))
if not sent:
    fail("the simulator recorded no reply")
reply = sent[0]
if reply["content"] != "echo: hello itchat 你好" or reply["to"] != sender or reply["msg_type"] != 1:
    fail("unexpected reply %r" % (reply,))
print("reply recorded: %r" % reply["content"])

# A friend renamed on demand: ItChat reads ModContactList and renames its local copy.
renamed = session[0]["friends"][2]
admin("sessions/%d/changes" % uin, {"rename_friend": {"friend": renamed, "nick_name": "itchat 改名"}})
deadline = time.time() + 30
nick = None
while time.time() < deadline:
    nick = (itchat.search_friends(userName=renamed) or {}).get("NickName")
    if nick == "itchat 改名":
        break
    time.sleep(0.2)
if nick != "itchat 改名":
    fail("itchat did not take the rename from ModContactList: %r" % (nick,))
print("rename seen by itchat: %r" % nick)

itchat.logout()
deadline = time.time() + 10
while time.time() < deadline:
    live = [s for s in admin("state")["sessions"] if s["uin"] == uin][0]["live"]
    if not live:
        break
    time.sleep(0.2)
if live:
    fail("the session is still live after logout")
deviations = [s for s in admin("state")["sessions"] if s["uin"] == uin][0]["deviations"]
print("tolerated deviations from the official client: %s" % "; ".join(deviations))
print("itchat session OK: login, init, contacts, message, reply, rename, logout")
