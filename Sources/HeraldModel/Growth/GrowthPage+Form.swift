extension GrowthPage {
    /// The popup form's script: shown on its trigger at most once per period (localStorage), a modal dialog
    /// in its own shadow root (focus trapped, closed by its button, the backdrop or Esc, focus given back),
    /// fields checked with `FormRules`' limits and messages (given here, so the two never differ), posted as a
    /// CORS simple request without cookies, then the subscribe buttons carrying the one-time token.
    public func formScript(submitURL: String, viewURL: String) -> String {
        guard let form else { return script(viewURL: viewURL) }
        let trigger: JSONValue = switch form.trigger {
        case .delay(let seconds): .object(["delay": .number(String(seconds))])
        case .scroll(let percent): .object(["scroll": .number(String(percent))])
        case .exitIntent: .object(["exit": .bool(true)])
        }
        let autocomplete: [GrowthToolJob.Field.Kind: String] = [.firstName: "given-name", .lastName: "family-name", .email: "email", .phone: "tel"]
        let sample = GrowthToolJob.Field(name: "", kind: .text, label: "", required: true, choices: [])
        let messages: JSONObject = [
            "required": .string(FormRules.problem("", field: sample)!), "plain": .string(FormRules.problem("<", field: sample)!),
            "email": .string(FormRules.problem("x", field: GrowthToolJob.Field(name: "", kind: .email, label: "", required: true, choices: []))!),
            "phone": .string(FormRules.problem("x", field: GrowthToolJob.Field(name: "", kind: .phone, label: "", required: true, choices: []))!),
            "choice": .string(FormRules.problem("x", field: GrowthToolJob.Field(name: "", kind: .choice, label: "", required: true, choices: []))!),
            "max": .string("At most %d characters."), "consent": .string(FormRules.consentMessage),
        ]
        let data = JSONValue.object([
            "name": .string(name), "title": .string(title), "text": .string(text), "submit": .string(submitURL), "view": .string(viewURL),
            "background": .string(background), "color": .string(foreground), "trigger": trigger, "again": .number(String(form.showAgainAfterDays)),
            "consent": form.consent.map { .string($0.text) } ?? .null, "m": .object(messages),
            "fields": .array(form.fields.map { field in
                .object([
                    "name": .string(field.name), "kind": .string(field.kind.rawValue), "label": .string(field.label), "required": .bool(field.required),
                    "choices": .array(field.choices.map(JSONValue.string)), "max": .number(String(FormRules.maxLength(field.kind))),
                    "auto": .string(autocomplete[field.kind] ?? "off"),
                ])
            }),
        ]).jsonText.replacingOccurrences(of: "<", with: "\\u003c")
        return Self.compact("""
            /* Herald growth tool \(name): popup form. */
            (function () {
              "use strict";
              var c = \(data);
              var doc = document, win = window, key = "herald:" + c.name;
              var registry = win.HeraldGrowth = win.HeraldGrowth || {};
              if (registry[c.name]) return;
              var api = registry[c.name] = { state: "waiting", open: open };
              function load() { try { return JSON.parse(win.localStorage.getItem(key) || "{}"); } catch (e) { return {}; } }
              function save(v) { try { win.localStorage.setItem(key, JSON.stringify(v)); } catch (e) {} }
              var memo = load();
              if (memo.done || (memo.shown && Date.now() - memo.shown < c.again * 864e5)) { api.state = "suppressed"; return; }
              function el(tag, cls, text) { var n = doc.createElement(tag); if (cls) n.className = cls; if (text != null) n.textContent = text; return n; }
              function onScroll() {
                var h = doc.documentElement, room = h.scrollHeight - win.innerHeight;
                if (room <= 0 || win.scrollY / room * 100 >= c.trigger.scroll) { win.removeEventListener("scroll", onScroll); open(); }
              }
              function onExit(e) { if (!e.relatedTarget && e.clientY <= 0) { doc.removeEventListener("mouseout", onExit); open(); } }
              if (c.trigger.scroll != null) { win.addEventListener("scroll", onScroll, { passive: true }); }
              else if (c.trigger.exit) { doc.addEventListener("mouseout", onExit); }
              else { setTimeout(open, c.trigger.delay * 1000); }
              var host, root, dialog, form, done, error, send, trap, before, inputs = {}, consent;
              function problem(f, v) {
                if (!v) return f.required ? c.m.required : null;
                if (Array.from(v).length > f.max) return c.m.max.replace("%d", f.max);
                if (/[\\u0000-\\u001f\\u007f-\\u009f<>]/.test(v)) return c.m.plain;
                if (f.kind === "email" && !/^[^\\s@]{1,64}@[^\\s@.]+(\\.[^\\s@.]+)+$/u.test(v)) return c.m.email;
                if (f.kind === "phone") {
                  var body = v.charAt(0) === "+" ? v.slice(1) : v, digits = (body.match(/[0-9]/g) || []).length;
                  if (!/^[0-9 ().-]+$/.test(body) || digits < 6 || digits > 15) return c.m.phone;
                }
                if (f.kind === "choice" && f.choices.indexOf(v) < 0) return c.m.choice;
                return null;
              }
              function mark(input, message) {
                input.setAttribute("aria-invalid", message ? "true" : "false");
                root.getElementById(input.id + "-m").textContent = message || "";
              }
              function focusables() {
                return Array.prototype.filter.call(dialog.querySelectorAll("a[href],button,input,select"), function (n) {
                  return !n.disabled && n.tabIndex >= 0 && n.getClientRects().length > 0;
                });
              }
              function onKey(e) {
                if (e.key === "Escape") { e.preventDefault(); close(); return; }
                if (e.key !== "Tab") return;
                var items = focusables(), active = root.activeElement;
                if (!items.length) return;
                if (e.shiftKey && (active === items[0] || !active)) { e.preventDefault(); items[items.length - 1].focus(); }
                else if (!e.shiftKey && (active === items[items.length - 1] || !active)) { e.preventDefault(); items[0].focus(); }
              }
              function close() {
                doc.removeEventListener("keydown", onKey, true);
                if (host && host.parentNode) host.parentNode.removeChild(host);
                api.state = api.state === "submitted" ? "submitted" : "closed";
                if (before && before.focus) before.focus();
              }
              function open() {
                if (host) return;
                api.state = "open";
                api.openedAt = performance.now();
                save({ shown: Date.now() });
                before = doc.activeElement;
                host = el("div");
                host.setAttribute("data-herald-tool", c.name);
                root = host.attachShadow({ mode: "open" });
                var style = el("style");
                style.textContent = ":host{all:initial}.bg{position:fixed;inset:0;background:rgba(0,0,0,.45);z-index:2147483646}" +
                  ".d{position:fixed;z-index:2147483647;left:50%;top:50%;transform:translate(-50%,-50%);width:min(26rem,calc(100vw - 2rem));max-height:calc(100vh - 2rem);overflow:auto;" +
                  "box-sizing:border-box;background:#fff;color:#111;border-radius:14px;padding:1.5rem;font:16px/1.4 system-ui,sans-serif;box-shadow:0 10px 40px rgba(0,0,0,.3)}" +
                  "h2{margin:0 2rem .5rem 0;font-size:1.3rem}p{margin:0 0 1rem}.x{position:absolute;top:.6rem;right:.6rem;border:0;background:none;font-size:1.6rem;cursor:pointer;color:#444}" +
                  "label{display:block;font-weight:600;margin:.6rem 0 .2rem}input,select{box-sizing:border-box;width:100%;padding:.55rem;border:1px solid #999;border-radius:8px;font:inherit}" +
                  "[aria-invalid=true]{border-color:#b3261e}.m{display:block;color:#b3261e;font-size:.85rem;min-height:1.1em}.c{display:flex;gap:.5rem;align-items:flex-start;font-weight:400}" +
                  ".c input{width:auto;margin-top:.25rem}.h{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}" +
                  ".b{display:block;width:100%;box-sizing:border-box;margin-top:.8rem;padding:.75rem 1rem;border:0;border-radius:10px;font:600 1rem system-ui,sans-serif;text-align:center;" +
                  "text-decoration:none;cursor:pointer;background:" + c.background + ";color:" + c.color + "}.b:focus-visible,.x:focus-visible{outline:3px solid #111;outline-offset:2px}" +
                  ".q{display:block;margin:.5rem auto 0;width:132px;height:132px}@media (pointer:coarse){.q{display:none}}";
                root.appendChild(style);
                var backdrop = el("div", "bg");
                backdrop.addEventListener("click", close);
                root.appendChild(backdrop);
                dialog = el("div", "d");
                dialog.setAttribute("role", "dialog");
                dialog.setAttribute("aria-modal", "true");
                dialog.setAttribute("aria-labelledby", "t");
                var x = el("button", "x", "\\u00d7");
                x.type = "button";
                x.setAttribute("aria-label", "Close");
                x.addEventListener("click", close);
                var heading = el("h2", "", c.title);
                heading.id = "t";
                dialog.appendChild(x);
                dialog.appendChild(heading);
                if (c.text) dialog.appendChild(el("p", "", c.text));
                form = el("form");
                form.noValidate = true;
                c.fields.forEach(function (f) {
                  var label = el("label", "", f.label + (f.required ? " *" : "")), input;
                  label.htmlFor = "f-" + f.name;
                  if (f.kind === "choice") {
                    input = el("select");
                    input.appendChild(el("option", "", "\\u2014"));
                    input.firstChild.value = "";
                    f.choices.forEach(function (choice) { var o = el("option", "", choice); o.value = choice; input.appendChild(o); });
                  } else {
                    input = el("input");
                    input.type = f.kind === "email" ? "email" : f.kind === "phone" ? "tel" : "text";
                  }
                  input.id = "f-" + f.name;
                  input.name = f.name;
                  input.autocomplete = f.auto;
                  if (f.required) input.setAttribute("aria-required", "true");
                  input.setAttribute("aria-describedby", input.id + "-m");
                  var message = el("span", "m");
                  message.id = input.id + "-m";
                  message.setAttribute("aria-live", "polite");
                  inputs[f.name] = input;
                  form.appendChild(label);
                  form.appendChild(input);
                  form.appendChild(message);
                });
                trap = el("input");
                trap.name = "url";
                trap.tabIndex = -1;
                trap.autocomplete = "off";
                var hidden = el("label", "h", "Leave this empty");
                hidden.setAttribute("aria-hidden", "true");
                hidden.appendChild(trap);
                form.appendChild(hidden);
                if (c.consent) {
                  var line = el("label", "c");
                  consent = el("input");
                  consent.type = "checkbox";
                  consent.id = "f-consent";
                  consent.setAttribute("aria-describedby", "f-consent-m");
                  line.appendChild(consent);
                  line.appendChild(el("span", "", c.consent));
                  form.appendChild(line);
                  var consentMessage = el("span", "m");
                  consentMessage.id = "f-consent-m";
                  form.appendChild(consentMessage);
                }
                error = el("p", "m");
                error.setAttribute("role", "alert");
                send = el("button", "b", "Continue");
                send.type = "submit";
                form.appendChild(error);
                form.appendChild(send);
                form.addEventListener("submit", submit);
                dialog.appendChild(form);
                done = el("div");
                done.hidden = true;
                dialog.appendChild(done);
                root.appendChild(dialog);
                doc.body.appendChild(host);
                doc.addEventListener("keydown", onKey, true);
                var first = focusables()[1];
                if (first) first.focus();
                requestAnimationFrame(function () { api.shownAt = performance.now(); });
                if (navigator.sendBeacon) navigator.sendBeacon(c.view);
              }
              function submit(e) {
                e.preventDefault();
                var body = { fields: {}, url: trap.value }, firstBad = null;
                c.fields.forEach(function (f) {
                  var input = inputs[f.name], v = input.value.trim(), message = problem(f, v);
                  mark(input, message);
                  if (message && !firstBad) firstBad = input;
                  if (v) body.fields[f.name] = v;
                });
                if (consent) {
                  body.consent = consent.checked;
                  mark(consent, consent.checked ? null : c.m.consent);
                  if (!consent.checked && !firstBad) firstBad = consent;
                }
                if (firstBad) { firstBad.focus(); return; }
                send.disabled = true;
                error.textContent = "";
                fetch(c.submit, { method: "POST", mode: "cors", credentials: "omit", headers: { "Content-Type": "text/plain;charset=UTF-8" }, body: JSON.stringify(body) })
                  .then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }); })
                  .then(function (answer) {
                    if (answer.status === 200) return thanks(answer.body);
                    send.disabled = false;
                    (answer.body.problems || []).forEach(function (p) { var input = p.field === "consent" ? consent : inputs[p.field]; if (input) mark(input, p.message); });
                    error.textContent = answer.body.message || "Please check the form.";
                  })
                  ["catch"](function () { send.disabled = false; error.textContent = "This could not be sent. Please try again."; });
              }
              function thanks(answer) {
                save({ shown: Date.now(), done: true });
                api.state = "submitted";
                api.token = answer.token;
                form.hidden = true;
                done.hidden = false;
                done.appendChild(el("p", "", "Thank you! One last step: open the chat and press Start."));
                answer.links.forEach(function (link) {
                  var a = el("a", "b", link.label);
                  a.href = link.url;
                  a.target = "_blank";
                  a.rel = "noopener";
                  a.setAttribute("data-platform", link.platform);
                  done.appendChild(a);
                  var code = el("img", "q");
                  code.src = link.qr;
                  code.alt = "QR code: " + link.label;
                  done.appendChild(code);
                });
                var first = done.querySelector("a");
                if (first) first.focus();
              }
            })();
            """)
    }
}
