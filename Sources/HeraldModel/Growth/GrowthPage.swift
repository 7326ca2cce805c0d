/// What a growth tool serves to browsers: the website button's script (`/g/TOOL.js`), the plain-HTML link for
/// sites that allow no scripts, and the landing page (`/s/TOOL`). Every configured text is escaped here.
public struct GrowthPage: Sendable {
    /// One subscribe link of the tool, with its label and the URL of its QR code.
    public struct Link: Sendable, Equatable {
        public var platform: Platform
        public var label: String
        public var url: String
        public var qrURL: String

        public init(platform: Platform, label: String, url: String, qrURL: String) {
            self.platform = platform
            self.label = label
            self.url = url
            self.qrURL = qrURL
        }
    }

    public var name: String
    public var title: String
    public var text: String
    public var links: [Link]
    public var background: String
    public var foreground: String
    public var qr: GrowthToolJob.QRMode
    /// A popup form's fields, consent, trigger and period; nil for every other kind.
    public var form: Form?

    /// What a popup form asks and when it shows.
    public struct Form: Sendable, Equatable {
        public var fields: [GrowthToolJob.Field]
        public var consent: GrowthToolJob.Consent?
        public var trigger: GrowthToolJob.Trigger
        public var showAgainAfterDays: Int
    }

    public init(name: String, title: String, text: String, links: [Link], background: String, foreground: String, qr: GrowthToolJob.QRMode) {
        self.name = name
        self.title = title
        self.text = text
        self.links = links
        self.background = background
        self.foreground = foreground
        self.qr = qr
    }

    /// The tool's page and buttons as the settings of a stored tool give them.
    public init(name: String, settings: GrowthToolJob.Settings, links: [Link]) {
        self.init(
            name: name, title: settings.title ?? "Chat with us", text: settings.text ?? "", links: links,
            background: settings.background ?? "#0866ff", foreground: settings.foreground ?? "#ffffff", qr: settings.qr ?? .never
        )
        if settings.kind == .popupForm {
            form = Form(fields: settings.fields ?? [], consent: settings.consent, trigger: settings.trigger ?? .delay(seconds: 5), showAgainAfterDays: settings.showAgainAfterDays ?? 7)
        }
    }

    /// The website button's script: self-contained (no third-party code, no cookies), one global
    /// (`HeraldGrowth`), its own shadow root so the host page's styles and its own never mix, inserted where the
    /// script tag stands (or into `<div data-herald-tool="NAME">`), so the page does not shift after it loads.
    public func script(viewURL: String) -> String {
        let data = JSONValue.object([
            "name": .string(name), "view": .string(viewURL),
            "links": .array(links.map { .object(["platform": .string($0.platform.rawValue), "label": .string($0.label), "url": .string($0.url), "qr": .string($0.qrURL)]) }),
            "qr": .string(qr.rawValue), "background": .string(background), "color": .string(foreground),
        ]).jsonText.replacingOccurrences(of: "<", with: "\\u003c")
        return Self.compact("""
            /* Herald growth tool \(name): subscribe buttons. */
            (function () {
              "use strict";
              var config = \(data);
              var doc = document, script = doc.currentScript;
              var registry = window.HeraldGrowth = window.HeraldGrowth || {};
              if (registry[config.name]) return;
              var host = doc.querySelector('[data-herald-tool="' + config.name + '"]');
              if (!host) {
                host = doc.createElement("div");
                if (script && script.parentNode) script.parentNode.insertBefore(host, script.nextSibling); else doc.body.appendChild(host);
              }
              host.setAttribute("data-herald-tool", config.name);
              var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
              var style = doc.createElement("style");
              style.textContent = ".h{display:flex;flex-wrap:wrap;gap:12px;align-items:center;font:16px/1.3 system-ui,sans-serif}" +
                ".b{display:inline-block;padding:10px 16px;border-radius:8px;text-decoration:none;font-weight:600;background:" + config.background + ";color:" + config.color + "}" +
                ".b:focus-visible{outline:3px solid #111;outline-offset:2px}.q{display:flex;flex-direction:column;align-items:center;gap:4px;font-size:13px}" +
                ".q img{width:132px;height:132px}";
              root.appendChild(style);
              var box = doc.createElement("div");
              box.className = "h";
              box.setAttribute("role", "group");
              box.setAttribute("aria-label", "Subscribe in chat");
              var desktop = !(window.matchMedia && window.matchMedia("(pointer: coarse)").matches);
              config.links.forEach(function (link) {
                var showCode = config.qr === "always" || (config.qr === "desktop" && desktop);
                if (showCode) {
                  var figure = doc.createElement("a");
                  figure.className = "q";
                  figure.href = link.url;
                  figure.setAttribute("data-platform", link.platform);
                  var image = doc.createElement("img");
                  image.src = link.qr;
                  image.alt = "QR code: " + link.label;
                  image.width = 132;
                  image.height = 132;
                  var caption = doc.createElement("span");
                  caption.textContent = link.label;
                  figure.appendChild(image);
                  figure.appendChild(caption);
                  box.appendChild(figure);
                } else {
                  var button = doc.createElement("a");
                  button.className = "b";
                  button.href = link.url;
                  button.target = "_blank";
                  button.rel = "noopener";
                  button.setAttribute("data-platform", link.platform);
                  button.textContent = link.label;
                  box.appendChild(button);
                }
              });
              root.appendChild(box);
              registry[config.name] = { links: config.links, host: host };
              if (navigator.sendBeacon && doc.visibilityState !== "prerender") navigator.sendBeacon(config.view);
            })();
            """)
    }

    /// A script without its indentation: the same code, a fifth smaller on the wire (no string spans lines).
    static func compact(_ script: String) -> String {
        script.split(separator: "\n", omittingEmptySubsequences: false).map { $0.drop { $0 == " " } }.joined(separator: "\n")
    }

    /// The same buttons as plain links, for sites that run no scripts.
    public func plainHTML() -> String {
        links.map { link in
            "<a href=\"\(ReportHTML.escape(link.url))\" target=\"_blank\" rel=\"noopener\" style=\"display:inline-block;padding:10px 16px;border-radius:8px;text-decoration:none;font-weight:600;background:\(background);color:\(foreground)\">\(ReportHTML.escape(link.label))</a>"
        }.joined(separator: "\n")
    }

    /// The landing page: the title, the text, a button and a QR code per account; readable on a phone, printable.
    public func landingHTML() -> String {
        let buttons = links.map { link in
            """
              <section class="link" data-platform="\(link.platform.rawValue)">
                <a class="button" href="\(ReportHTML.escape(link.url))" rel="noopener">\(ReportHTML.escape(link.label))</a>
                <img class="code" src="\(ReportHTML.escape(link.qrURL))" width="180" height="180" alt="QR code: \(ReportHTML.escape(link.label))">
              </section>
            """
        }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(ReportHTML.escape(title))</title>
            <style>
            body{margin:0;font:17px/1.45 system-ui,sans-serif;color:#111;background:#f6f7f9}
            main{max-width:30rem;margin:0 auto;padding:2rem 1.25rem;text-align:center}
            h1{font-size:1.6rem;margin:.5rem 0 1rem}
            p{white-space:pre-line}
            .link{background:#fff;border-radius:14px;padding:1.25rem;margin:1rem 0;box-shadow:0 1px 3px rgba(0,0,0,.08)}
            .button{display:block;padding:.9rem 1rem;border-radius:10px;text-decoration:none;font-weight:600;background:\(background);color:\(foreground)}
            .button:focus-visible{outline:3px solid #111;outline-offset:2px}
            .code{display:block;margin:1rem auto 0}
            @media (pointer: coarse){.code{display:none}}
            @media print{body{background:#fff}.code{display:block}.link{box-shadow:none;border:1px solid #ccc}}
            </style>
            </head>
            <body>
            <main>
            <h1>\(ReportHTML.escape(title))</h1>
            \(text.isEmpty ? "" : "<p>\(ReportHTML.escape(text))</p>")
            \(buttons)
            </main>
            </body>
            </html>
            """
    }

    /// A QR code as SVG: one path of unit squares, a four-module quiet zone, scaled by the viewer.
    public static func svg(modules: [[Bool]]) -> String {
        let size = modules.count + 8
        var path = ""
        for (row, line) in modules.enumerated() {
            var column = 0
            while column < line.count {
                guard line[column] else {
                    column += 1
                    continue
                }
                var end = column
                while end < line.count, line[end] { end += 1 }
                path += "M\(column + 4) \(row + 4)h\(end - column)v1h-\(end - column)z"
                column = end
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(size) \(size)\" shape-rendering=\"crispEdges\"><rect width=\"\(size)\" height=\"\(size)\" fill=\"#fff\"/><path d=\"\(path)\" fill=\"#000\"/></svg>"
    }
}
