#!/usr/bin/env python3
"""A loopback stand-in for the Telegram Bot API and the Messenger Send API, for Herald's end-to-end tests.

It checks requests against the platforms' published rules (its own reading of them, sharing no code with
Herald), answers with the platforms' real success and error bodies, records every request, and can be told
to misbehave. Control endpoints (all under /_/):
  GET  /_/requests          every request so far, as a JSON list of {"path", "method", "body"}
  POST /_/script            {"match": {"chat_id": "42"} or {"psid": "7"}, "status": 403, "body": {...}, "times": 1}
  POST /_/reset             forget requests and scripts
  POST /_/outage            {"seconds": 3, "status": 502}: every API request answers a proxy's HTML error page for that long
  GET  /_/outage            {"refused": N}: API requests answered so during the last outage (not in /_/requests)
  POST /_/updates           [Update, ...]: queued for getUpdates (update_id assigned when missing)
  GET  /_/polls             {"polls": N, "offsets": [...]}: getUpdates calls (not in /_/requests) and the offsets they gave
Usage: platform_server.py PORT_FILE --telegram-token T --messenger-token P --page-id ID [--latency-ms N] [--enforce-limits]
"""
import argparse, json, threading, time, re, itertools
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
from urllib.parse import urlparse, parse_qs

args = None
lock = threading.Lock()
requests, scripts = [], []
counter = itertools.count(1000)
sent_times = {}  # limiter key -> list of times
outage = {"until": 0.0, "status": 502, "refused": 0}
updates, polls = [], {"count": 0, "offsets": []}
webhook = {"url": "", "secret_token": None, "allowed_updates": None}
update_ids = itertools.count(1)
updates_ready = threading.Condition(lock)

TG_METHODS = {"sendMessage": "text", "sendPhoto": "photo", "sendVideo": "video", "sendAudio": "audio", "sendDocument": "document"}

def units(text):
    """Length in UTF-16 code units, the unit both platforms count in (Python's len counts code points)."""
    return len(text.encode("utf-16-le")) // 2

def tg_error(code, description, **parameters):
    body = {"ok": False, "error_code": code, "description": description}
    if parameters: body["parameters"] = parameters
    return code, body

def fb_error(status, code, message, subcode=None):
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "A1b2C3d4E5f"}
    if subcode is not None: error["error_subcode"] = subcode
    return status, {"error": error}

def over_limit(key, limit, window):
    now = time.monotonic()
    times = [t for t in sent_times.get(key, []) if now - t < window]
    times.append(now)
    sent_times[key] = times
    return len(times) > limit

def check_keyboard(markup):
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list): return "reply_markup.inline_keyboard must be an array"
    for row in rows:
        if not isinstance(row, list) or not row: return "each keyboard row must be a non-empty array"
        for button in row:
            kinds = [k for k in ("url", "callback_data") if k in button]
            if not isinstance(button.get("text"), str) or len(kinds) != 1: return "a button needs text and exactly one of url, callback_data"
            if not button["text"].strip(): return "BUTTON_TEXT_EMPTY"
            if "callback_data" in button and not (1 <= len(button["callback_data"].encode()) <= 64): return "BUTTON_DATA_INVALID"
            if "url" in button and not re.match(r"^https?://", button["url"]): return "wrong HTTP URL"
    return None

def telegram(method, body):
    if method in ("setMyDescription", "setMyShortDescription"):
        field, limit = ("description", 512) if method == "setMyDescription" else ("short_description", 120)
        text = body.get(field, "")
        if not isinstance(text, str) or units(text) > limit: return tg_error(400, f"Bad Request: {field} is too long")
        return 200, {"ok": True, "result": True}
    if method == "getMe":
        return 200, {"ok": True, "result": {"id": int(args.telegram_token.split(":")[0]), "is_bot": True, "first_name": "Shop", "username": "shop_test_bot"}}
    if method == "setWebhook":
        url = body.get("url")
        if not isinstance(url, str) or (url and not url.startswith("https://")): return tg_error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        token = body.get("secret_token")
        if token is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(token)): return tg_error(400, "Bad Request: secret token contains unallowed characters")
        webhook.update(url=url, secret_token=token, allowed_updates=body.get("allowed_updates"))
        return 200, {"ok": True, "result": True, "description": "Webhook was set" if url else "Webhook was deleted"}
    if method == "deleteWebhook":
        webhook.update(url="", secret_token=None)
        return 200, {"ok": True, "result": True, "description": "Webhook was deleted"}
    if method == "getWebhookInfo":
        info = {"url": webhook["url"], "has_custom_certificate": False, "pending_update_count": len(updates)}
        if webhook["allowed_updates"] is not None: info["allowed_updates"] = webhook["allowed_updates"]
        return 200, {"ok": True, "result": info}
    if method == "answerCallbackQuery":
        if not isinstance(body.get("callback_query_id"), str): return tg_error(400, "Bad Request: query_id is empty")
        return 200, {"ok": True, "result": True}
    if method not in TG_METHODS: return tg_error(404, "Not Found")
    chat = body.get("chat_id")
    if not isinstance(chat, (int, str)) or isinstance(chat, bool): return tg_error(400, "Bad Request: chat_id is empty")
    field = TG_METHODS[method]
    value = body.get(field)
    if not isinstance(value, str) or not value: return tg_error(400, f"Bad Request: message {field} is empty" if field == "text" else f"Bad Request: there is no {field} in the request")
    if field == "text" and units(value) > 4096: return tg_error(400, "Bad Request: message is too long")
    caption = body.get("caption")
    if caption is not None and units(caption) > 1024: return tg_error(400, "Bad Request: message caption is too long")
    allowed = {"chat_id", field, "parse_mode", "reply_markup", "disable_notification", "protect_content", "allow_paid_broadcast", "link_preview_options", "caption", "message_thread_id"}
    unknown = set(body) - allowed
    if unknown: return tg_error(400, f"Bad Request: unexpected fields {sorted(unknown)}")
    if "parse_mode" in body and body["parse_mode"] not in ("HTML", "MarkdownV2", "Markdown"): return tg_error(400, "Bad Request: unsupported parse_mode")
    if body.get("parse_mode") == "HTML":
        for text in (value if field == "text" else None, caption):
            if text and re.search(r"<(?!/?(b|i|u|s|a|code|pre|tg-spoiler|blockquote)\b)", text): return tg_error(400, "Bad Request: can't parse entities: Unsupported start tag")
    if "reply_markup" in body:
        problem = check_keyboard(body["reply_markup"])
        if problem: return tg_error(400, f"Bad Request: {problem}")
    if "link_preview_options" in body and not isinstance(body["link_preview_options"], dict): return tg_error(400, "Bad Request: link_preview_options must be an object")
    if args.enforce_limits and over_limit("tg-bot", 30, 1.0): return tg_error(429, "Too Many Requests: retry after 1", retry_after=1)
    if args.enforce_limits and isinstance(chat, int) and chat > 0 and over_limit(f"tg-chat-{chat}", 1, 1.0): return tg_error(429, "Too Many Requests: retry after 1", retry_after=1)
    result = {"message_id": next(counter), "date": int(time.time()), "chat": {"id": chat, "type": "private" if isinstance(chat, int) and chat > 0 else "supergroup"}}
    if field == "text": result["text"] = value
    elif field == "photo": result["photo"] = [{"file_id": "AgAC-small", "width": 90, "height": 90}, {"file_id": f"AgAC-{abs(hash(value)) % 10**8}", "width": 1280, "height": 1280}]
    else: result[field] = {"file_id": f"BAAC-{field}-{abs(hash(value)) % 10**8}"}
    return 200, {"ok": True, "result": result}

def messenger(body):
    recipient = body.get("recipient")
    if not isinstance(recipient, dict) or not isinstance(recipient.get("id"), str) or not recipient["id"].isdigit():
        return fb_error(400, 100, "(#100) The parameter recipient is required")
    if body.get("messaging_type") not in ("RESPONSE", "UPDATE", "MESSAGE_TAG", "UTILITY"): return fb_error(400, 100, "(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG, UTILITY}")
    if (body.get("messaging_type") == "MESSAGE_TAG") != ("tag" in body): return fb_error(400, 100, "(#100) Tag is required for MESSAGE_TAG and only allowed with it")
    if body.get("notification_type", "REGULAR") not in ("REGULAR", "SILENT_PUSH", "NO_PUSH"): return fb_error(400, 100, "(#100) Invalid notification_type")
    unknown = set(body) - {"recipient", "messaging_type", "tag", "notification_type", "message"}
    if unknown: return fb_error(400, 100, f"(#100) Unexpected parameters {sorted(unknown)}")
    message = body.get("message")
    if not isinstance(message, dict) or (("text" in message) == ("attachment" in message)): return fb_error(400, 100, "(#100) Must send either message text or an attachment")
    if "metadata" in message and units(message["metadata"]) >= 1000: return fb_error(400, 100, "(#100) metadata must be less than 1000 characters")
    if "text" in message and units(message["text"]) > 2000: return fb_error(400, 100, "(#100) Length of param message[text] must be less than or equal to 2000")
    for reply in message.get("quick_replies", []):
        if reply.get("content_type") != "text" or units(reply.get("title", "")) > 20 or not reply.get("payload"): return fb_error(400, 100, "(#100) Invalid quick reply")
    reusable = False
    attachment = message.get("attachment")
    if attachment is not None:
        kind, payload = attachment.get("type"), attachment.get("payload", {})
        if kind in ("image", "video", "audio", "file"):
            if ("url" in payload) == ("attachment_id" in payload): return fb_error(400, 100, "(#100) Attachment payload needs url or attachment_id")
            if "url" in payload and not payload["url"].startswith("https://"): return fb_error(400, 100, "(#100) Invalid URL")
            reusable = payload.get("is_reusable") is True
        elif kind == "template":
            problem = check_template(payload)
            if problem: return fb_error(400, 100, f"(#100) {problem}")
        else:
            return fb_error(400, 100, "(#100) Invalid attachment type")
    heavy = attachment is not None and attachment.get("type") in ("audio", "video")
    if args.enforce_limits and over_limit("fb-page", 300, 1.0): return fb_error(400, 613, "Calls to this api have exceeded the rate limit.")
    if args.enforce_limits and heavy and over_limit("fb-heavy", 10, 1.0): return fb_error(400, 613, "Calls to this api have exceeded the rate limit.")
    result = {"recipient_id": recipient["id"], "message_id": f"m_{next(counter)}"}
    if reusable: result["attachment_id"] = str(1857777770000000 + next(counter))
    return 200, result

def check_buttons(buttons):
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3: return "buttons must hold 1 to 3 buttons"
    for button in buttons:
        if units(button.get("title", "")) > 20 or not button.get("title"): return "button title must be 1-20 characters"
        if button.get("type") == "web_url":
            if not button.get("url", "").startswith(("https://", "http://")): return "web_url button needs a url"
        elif button.get("type") == "postback":
            if not button.get("payload") or units(button["payload"]) > 1000: return "postback button needs a payload"
        else: return "unknown button type"
    return None

def check_template(payload):
    kind = payload.get("template_type")
    if kind == "button":
        if not payload.get("text") or units(payload["text"]) > 640: return "button template text must be 1-640 characters"
        return check_buttons(payload.get("buttons"))
    if kind == "generic":
        elements = payload.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= 10: return "generic template needs 1-10 elements"
        for element in elements:
            if not element.get("title") or units(element["title"]) > 80 or units(element.get("subtitle", "")) > 80: return "element title/subtitle too long or missing"
            if len([k for k in ("subtitle", "image_url", "default_action", "buttons") if k in element]) == 0: return "element needs a title and one more property"
            if "default_action" in element and (element["default_action"].get("type") != "web_url" or "title" in element["default_action"]): return "invalid default_action"
            if "buttons" in element:
                problem = check_buttons(element["buttons"])
                if problem: return problem
        return None
    return "unknown template_type"

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/_/requests":
            with lock: return self.reply(200, list(requests))
        if self.path == "/_/outage":
            with lock: return self.reply(200, {"refused": outage["refused"]})
        if self.path == "/_/polls":
            with lock: return self.reply(200, {"polls": polls["count"], "offsets": polls["offsets"][-50:]})
        url = urlparse(self.path)
        profile = re.match(r"^/v\d+\.\d+/(\d+)$", url.path)
        if profile:  # the User Profile API: names for a PSID the Page may see
            query = parse_qs(url.query)
            if query.get("access_token", [""])[0] != args.messenger_token: return self.reply(*fb_error(400, 190, "Invalid OAuth access token - Cannot parse access token"))
            with lock: requests.append({"path": url.path, "method": "GET", "body": {}, "content_type": None})
            psid = profile.group(1)
            if psid.endswith("0"): return self.reply(*fb_error(400, 100, "(#100) No profile available for this user.", 2018218))
            return self.reply(200, {"first_name": "Person", "last_name": psid[-4:], "id": psid})
        self.reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        url = urlparse(self.path)
        if url.path == "/_/script":
            with lock: scripts.append(json.loads(raw))
            return self.reply(200, {"ok": True})
        if url.path == "/_/outage":
            order = json.loads(raw)
            with lock: outage.update(until=time.time() + order["seconds"], status=order.get("status", 502), refused=0)
            return self.reply(200, {"ok": True})
        if url.path == "/_/updates":
            with lock:
                for update in json.loads(raw):
                    update.setdefault("update_id", next(update_ids))
                    updates.append(update)
                updates_ready.notify_all()
            return self.reply(200, {"ok": True})
        poll = re.match(r"^/bot([^/]+)/getUpdates$", url.path)
        if poll:  # long polling: answered from the queue, never recorded in /_/requests
            if poll.group(1) != args.telegram_token: return self.reply(*tg_error(401, "Unauthorized"))
            with lock:
                if webhook["url"]: return self.reply(*tg_error(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"))
            try: body = json.loads(raw or b"{}")
            except ValueError: return self.reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid JSON"})
            offset, wait = body.get("offset", 0), min(float(body.get("timeout", 0)), 1.0)
            deadline = time.time() + wait
            with lock:
                polls["count"] += 1
                polls["offsets"].append(offset)
                if offset: updates[:] = [u for u in updates if u["update_id"] >= offset]  # confirmed ones are forgotten
                while not updates and time.time() < deadline:
                    updates_ready.wait(max(0.0, deadline - time.time()))
                answer = [u for u in updates if u["update_id"] >= offset][: body.get("limit", 100)]
            return self.reply(200, {"ok": True, "result": answer})
        if url.path == "/_/reset":
            with lock: requests.clear(); scripts.clear(); sent_times.clear()
            return self.reply(200, {"ok": True})
        with lock:
            down = time.time() < outage["until"]
            if down: outage["refused"] += 1
        if down:  # the platform's front end is up, what is behind it is not: an HTML page, as nginx would give
            page = ("<html><head><title>%d Bad Gateway</title></head><body><center><h1>%d Bad Gateway</h1></center></body></html>" % (outage["status"], outage["status"])).encode()
            self.send_response(outage["status"])
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            return self.wfile.write(page)
        try:
            body = json.loads(raw)
        except ValueError:
            return self.reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid JSON"})
        # Recorded on arrival, as a platform would act on it, before any simulated latency
        with lock:
            requests.append({"path": url.path, "method": "POST", "body": body, "content_type": self.headers.get("Content-Type")})
        if args.latency_ms: time.sleep(args.latency_ms / 1000)
        with lock:
            key = str(body.get("chat_id", (body.get("recipient") or {}).get("id")))
            for script in scripts:
                if script["match"].get("chat_id", script["match"].get("psid")) == key and script.get("times", 1) > 0:
                    script["times"] = script.get("times", 1) - 1
                    if script["status"] == 0:  # the platform acts on the request, then dies without answering
                        self.close_connection = True
                        return
                    return self.reply(script["status"], script["body"])
        telegram_path = re.match(r"^/bot([^/]+)/(\w+)$", url.path)
        if telegram_path:
            if telegram_path.group(1) != args.telegram_token: return self.reply(*tg_error(401, "Unauthorized"))
            with lock: status, answer = telegram(telegram_path.group(2), body)
            return self.reply(status, answer)
        profile_path = re.match(r"^/v\d+\.\d+/me/messenger_profile$", url.path)
        if profile_path:
            if parse_qs(url.query).get("access_token", [""])[0] != args.messenger_token:
                return self.reply(*fb_error(400, 190, "Invalid OAuth access token - Cannot parse access token"))
            greeting = body.get("greeting")
            if greeting is not None:
                if not isinstance(greeting, list) or not any(g.get("locale") == "default" for g in greeting): return self.reply(*fb_error(400, 100, "(#100) greeting must include the default locale"))
                if any(units(g.get("text", "")) > 160 for g in greeting): return self.reply(*fb_error(400, 100, "(#100) greeting text is longer than 160 characters"))
            if "get_started" in body and not isinstance((body["get_started"] or {}).get("payload"), str): return self.reply(*fb_error(400, 100, "(#100) get_started needs a payload"))
            if not (set(body) & {"greeting", "get_started", "persistent_menu", "ice_breakers", "whitelisted_domains"}): return self.reply(*fb_error(400, 100, "(#100) No properties to set"))
            return self.reply(200, {"result": "success"})
        messenger_path = re.match(r"^/v\d+\.\d+/(\d+|me)/messages$", url.path)
        if messenger_path:
            if parse_qs(url.query).get("access_token", [""])[0] != args.messenger_token:
                return self.reply(*fb_error(400, 190, "Invalid OAuth access token - Cannot parse access token"))
            if messenger_path.group(1) not in ("me", args.page_id): return self.reply(*fb_error(400, 100, "(#100) Unknown page"))
            with lock: status, answer = messenger(body)
            return self.reply(status, answer)
        self.reply(404, {"error": {"message": "Unknown path", "code": 803}})

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("port_file")
    parser.add_argument("--telegram-token", default="123456:TEST-token")
    parser.add_argument("--messenger-token", default="EAAG-test-page-token")
    parser.add_argument("--page-id", default="100000000000001")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--enforce-limits", action="store_true")
    args = parser.parse_args()
    ThreadingHTTPServer.request_queue_size = 1024  # socketserver's default backlog of 5 drops concurrent connects
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(args.port_file + ".tmp", "w") as f: f.write(str(server.server_address[1]))
    import os; os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()
