"""Drives a whole Web WeChat session with ItChat 1.3.10 (a client nobody here wrote) against
webwx-sim: login, init, contacts, a received message, a reply the simulator records, a friend
renamed in ModContactList, media of every kind downloaded with ItChat's own requests (the bytes
equal to what the simulator stored), an image and a file uploaded and sent with ItChat's
send_image and send_file (the simulator's record of each send carrying the file's MD5, size and
name), logout.

Usage: python drive.py http://127.0.0.1:PORT
Exits 0 when every step checked out, 1 with a message otherwise.
"""
import hashlib
import html
import html.parser
import json
import os
import sys
import tempfile
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


def admin_bytes(path):
    with urllib.request.urlopen(BASE + "/__sim/" + path, timeout=10) as r:
        return r.read()


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


received = []


@itchat.msg_register(itchat.content.TEXT)
def on_text(msg):
    received.append(msg.text)
    return "echo: " + msg.text


downloads = {}


@itchat.msg_register([itchat.content.PICTURE, itchat.content.RECORDING, itchat.content.VIDEO,
                      itchat.content.ATTACHMENT])
def on_media(msg):
    # ItChat's own download: msgid (not MsgID) on webwxgetmsgimg, Range on webwxgetvideo, the 2017
    # file link with filename= and pass_ticket=undefined.
    downloads[msg["MsgId"]] = (msg["Type"], msg.download(None))


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

# Media of every kind: ItChat downloads each with its own requests; the bytes must be the stored
# ones. One at a time: ItChat's download_video closes over the loop's `msgId` (produce_msg), so
# of two videos in one webwxsync answer it would download the second twice.
injected = {}
for kind, extra in [("image", {}), ("sticker", {}), ("voice", {}), ("video", {}),
                    ("short_video", {}), ("file", {"size": 3 * 1024 * 1024 + 3, "file_name": "数据 备份.zip"})]:
    body = dict({"kind": kind, "from": sender}, **extra)
    msg_id = admin("sessions/%d/media" % uin, body)["MsgId"]
    injected[msg_id] = kind
    deadline = time.time() + 30
    while time.time() < deadline and msg_id not in downloads:
        time.sleep(0.1)
for msg_id, kind in injected.items():
    if msg_id not in downloads:
        fail("itchat did not download the %s %s (got %r)" % (kind, msg_id, sorted(downloads)))
    got = downloads[msg_id][1]
    stored = admin_bytes("sessions/%d/media/%s" % (uin, msg_id))
    if got != stored:
        fail("itchat's %s has %d bytes, the simulator stored %d (%r...)" % (kind, len(got), len(stored), got[:40]))
print("media downloaded by itchat: %s" % ", ".join(
    "%s %d bytes" % (injected[i], len(downloads[i][1])) for i in injected))

# Uploads: ItChat's send_image and send_file (webwxuploadmedia in chunks, then
# webwxsendmsgimg / webwxsendappmsg). The image is the JPEG the simulator stored for the injected
# image; the file is 3 chunks of bytes with a non-ASCII name.
work = tempfile.mkdtemp()
image_id = [i for i, k in injected.items() if k == "image"][0]
uploads = {
    "image": (os.path.join(work, "itchat photo.jpg"), admin_bytes("sessions/%d/media/%s" % (uin, image_id)), 3),
    "file": (os.path.join(work, "itchat 文件.txt"), bytes((i * 7 + 3) % 251 for i in range(1300000)), 6),
}
for kind, (path, data, msg_type) in uploads.items():
    with open(path, "wb") as f:
        f.write(data)
    send = itchat.send_image if kind == "image" else itchat.send_file
    r = send(path, toUserName=sender)
    if not r:
        fail("itchat's send_%s failed: %r" % (kind, r))
sent = admin("sessions/%d/sent" % uin)
for kind, (path, data, msg_type) in uploads.items():
    md5 = hashlib.md5(data).hexdigest()
    found = [m for m in sent if m["msg_type"] == msg_type and m["media_md5"] == md5]
    if not found:
        fail("no %s sent with md5 %s: %r" % (kind, md5, sent))
    m = found[0]
    if m["media_size"] != len(data) or m["file_name"] != os.path.basename(path) or m["to"] != sender:
        fail("the %s send was recorded as %r" % (kind, m))
    print("%s uploaded and sent by itchat: %s, %d bytes, md5 %s" % (kind, m["file_name"], m["media_size"], md5))

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
print("tolerated deviations from the official client:\n  %s" % "\n  ".join(deviations))
# ItChat's known departures from the official client's wire rules (sim/src/official.rs). Some
# depend on timing: whether two of ItChat's clock readings fall in the same millisecond or
# second, and how fast the machine is.
KNOWN = {
    "params: jslogin sent appid,fun (official: appid,redirect_uri,fun,lang,_)",
    "underscore: jslogin without `_`",
    "headers: a script call without Accept-Language, Referer, Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest, sec-ch-ua, sec-ch-ua-mobile, sec-ch-ua-platform",
    "headers: a script call with Accept-Encoding `gzip, deflate` (official: `gzip, deflate, br`)",
    "ticket: a ticket request without fun=new&version=v2 (official: both)",
    "headers: an Angular call without Accept-Language, Referer, Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest, sec-ch-ua, sec-ch-ua-mobile, sec-ch-ua-platform",
    "headers: an Angular call with Accept-Encoding `gzip, deflate` (official: `gzip, deflate, br`)",
    "headers: an Angular call with Accept `*/*` (official: `application/json, text/plain, */*`)",
    "params: webwxinit sent r,pass_ticket (official: r,lang,pass_ticket)",
    "headers: an Angular call without Accept-Language, Referer, Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest, sec-ch-ua, sec-ch-ua-mobile, sec-ch-ua-platform, Origin, Content-Type",
    "device-id: a DeviceID that is not e + 15 digits",
    "pass-ticket: webwxstatusnotify encoded once (official: encoded again, %2B as %252B)",
    "device-id: the same DeviceID as the previous request (official: new each request)",
    "uin: BaseRequest.Uin a string after webwxinit (official: the number of User.Uin)",
    "params: webwxgetcontact sent r,seq,skey (official: lang,pass_ticket,r,seq,skey)",
    "pass-ticket: webwxgetcontact without it",
    "params: webwxsync sent sid,skey,pass_ticket (official: sid,skey,lang,pass_ticket)",
    "pass-ticket: webwxsync encoded once (official: encoded again, %2B as %252B)",
    "underscore: synccheck `_` does not go up by 1 (official: jQuery's counter)",
    "params: webwxsendmsg sent nothing (official: lang,pass_ticket)",
    "pass-ticket: webwxsendmsg without it",
    "local-id: LocalID or ClientMsgId not a string (official: a string)",
    "local-id: LocalID not 13-digit ms + 0 + 3 digits (official: (now + Math.random().toFixed(3)) without the dot)",
    "headers: a form navigation without Accept-Language, Referer, Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest, sec-ch-ua, sec-ch-ua-mobile, sec-ch-ua-platform, Origin, Content-Type",
    "headers: a form navigation with Accept-Encoding `gzip, deflate` (official: `gzip, deflate, br`)",
    "headers: a form navigation with Accept `*/*` (official: `text/html,...`)",
}
# ItChat's media downloads (requests with its own parameters, no browser headers): msgid on
# webwxgetmsgimg without `?&` or a type, requests' %40 in skey, sender and mediaid, the 2017 file
# link (filename=, pass_ticket=undefined).
KNOWN |= {
    "params: webwxgetmsgimg without the empty parameter of `?&` (official: ?&MsgID=..)",
    "params: webwxgetmsgimg sent msgid,skey (official: MsgID,skey[,type])",
    "headers: an <img> load without Accept-Language, Referer, Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest, sec-ch-ua, sec-ch-ua-mobile, sec-ch-ua-platform",
    "headers: an <img> load with Accept-Encoding `gzip, deflate` (official: `gzip, deflate, br`)",
    "headers: an <img> load with Accept `*/*` (official: `image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8`)",
    "media: webwxgetmsgimg with no type for a sticker (official: type=big)",
    "encoding: webwxgetvoice skey as %40 (official: a raw @)",
    "headers: an <audio> load without Accept-Language, Referer, Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest, sec-ch-ua, sec-ch-ua-mobile, sec-ch-ua-platform, Range",
    "headers: an <audio> load with Accept-Encoding `gzip, deflate` (official: `identity;q=1, *;q=0`)",
    "headers: a <video> load without Accept-Language, Referer, Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest, sec-ch-ua, sec-ch-ua-mobile, sec-ch-ua-platform",
    "headers: a <video> load with Accept-Encoding `gzip, deflate` (official: `identity;q=1, *;q=0`)",
    "params: webwxgetmedia sent sender,mediaid,filename,fromuser,pass_ticket,webwx_data_ticket (official: sender,mediaid,encryfilename,fromuser,pass_ticket,webwx_data_ticket)",
    "pass-ticket: webwxgetmedia neither the issued value nor it encoded again",
    "encoding: webwxgetmedia sender %-encoded (official: raw)",
    "encoding: webwxgetmedia mediaid %-encoded (official: raw)",
    "headers: a link navigation without Accept-Language, Referer, Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest, sec-ch-ua, sec-ch-ua-mobile, sec-ch-ua-platform, Sec-Fetch-User, Upgrade-Insecure-Requests",
    "headers: a link navigation with Accept-Encoding `gzip, deflate` (official: `gzip, deflate, br`)",
    "headers: a link navigation with Accept `*/*` (official: `text/html,...`)",
}
# ItChat's uploads and the sends of what it uploaded (upload.md §7): the requests session's
# headers and multipart boundary, octet-stream for a one-chunk file, the login XML's BaseRequest
# (Skey, Sid, Uin order; the Uin a string and the pass_ticket as DeviceID are noted by the `uin`
# and `device-id` rules above), a 14-digit ClientMediaId, filehelper as ToUserName, the
# pass_ticket as issued; sends without lang and pass_ticket, without browser headers, and the
# image without Content.
KNOWN |= {
    "headers: an upload XHR without Accept-Language, Referer, Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest, sec-ch-ua, sec-ch-ua-mobile, sec-ch-ua-platform, Origin",
    "headers: an upload XHR with Accept-Encoding `gzip, deflate` (official: `gzip, deflate, br`)",
    "headers: an upload XHR with a multipart boundary other than Chrome's (official: ----WebKitFormBoundary + 16 characters)",
    "upload: a one-chunk file part with Content-Type `application/octet-stream` (official: the type field)",
    "upload: pass_ticket still %-encoded (official: decodeURIComponent of the issued one)",
    "upload: uploadmediarequest BaseRequest keys Skey,Sid,Uin,DeviceID (official: Uin,Sid,Skey,DeviceID)",
    "upload: uploadmediarequest ClientMediaId not a 13-digit number of ms (official: +new Date, the same on every chunk)",
    "upload: uploadmediarequest ToUserName not the send's ToUserName (official: the chat the file goes to)",
    "headers: an Angular call without Accept-Language, Referer, Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest, sec-ch-ua, sec-ch-ua-mobile, sec-ch-ua-platform, Origin",
    "params: webwxsendmsgimg sent fun,f (official: fun,f,lang,pass_ticket)",
    "pass-ticket: webwxsendmsgimg without it",
    "params: webwxsendappmsg sent fun,f (official: fun,f,lang,pass_ticket)",
    "pass-ticket: webwxsendappmsg without it",
    "send: webwxsendmsgimg Msg without Content for an upload (official: Content \"\")",
}
TIMING = {
    # Two login polls in the same second (`_` is the time in seconds).
    "underscore: login `_` does not go up by 1 (official: jQuery's counter)",
    # `r` and `_` read from the clock in the same millisecond.
    "underscore: synccheck `_` equals its r (official: jQuery's counter, not the time)",
    # A slow machine.
    "setup: the first synccheck waited for the contacts (official: right after webwxinit)",
    # LocalID and ClientMsgId are two readings of `int(time.time() * 1e4)` (ItChat's
    # messages.py): they differ when the clock passes a tenth of a millisecond between them.
    "local-id: LocalID and ClientMsgId differ (official: the same)",
}
missing = sorted(KNOWN - set(deviations))
unknown = sorted(set(deviations) - KNOWN - TIMING)
if missing or unknown:
    fail("ItChat's deviations changed:\n  missing: %s\n  new: %s" % (missing, unknown))
print("itchat session OK: login, init, contacts, message, reply, rename, media, uploads, logout, %d known deviations" % len(deviations))
