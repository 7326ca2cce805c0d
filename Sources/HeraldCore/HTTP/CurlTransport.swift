import CCurl
import CShim
import Foundation
import Synchronization

/// HTTP over one libcurl multi handle driven by one dedicated thread (`curl_multi_poll`): thousands of requests
/// in flight without a thread each. Keep-alive and HTTP/2 multiplexing come from the multi handle's connection
/// cache; TLS verification stays on; response bodies are capped.
///
/// ```swift
/// let transport = try CurlTransport(maxConnections: 100, timeout: .seconds(30))
/// let result = await transport.send(HTTPRequest(url: "https://api.telegram.org/bot…/sendMessage", body: bytes))
/// ```
public final class CurlTransport: HTTPTransport {
    // Touched only by the curl thread, except curl_multi_wakeup, which libcurl documents as thread-safe.
    nonisolated(unsafe) private let multi: UnsafeMutableRawPointer
    private let queue = Mutex<[Transfer]>([])
    /// Transfers whose caller was cancelled, for the curl thread to abandon.
    private let cancelled = Mutex<Set<Int>>([])
    private let nextID = Atomic<Int>(0)
    private let running = Atomic<Bool>(true)
    private let started = Atomic<Bool>(false)
    private let finished = Mutex<CheckedContinuation<Void, Never>?>(nil)
    let timeoutMilliseconds: Int
    let maxResponseBytes: Int
    /// Certificates to trust instead of the system's (PEM), for a platform behind a private certificate authority.
    let caFile: String?

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// `maxConnections` bounds open connections (and so concurrency per host); `timeout` bounds each request.
    /// `caFile`, when given, replaces the system's trusted certificates.
    public init(maxConnections: Int = 256, timeout: Duration = .seconds(30), maxResponseBytes: Int = 1 << 20, caFile: String? = nil) throws {
        _ = CurlTransport.globalInit
        guard let multi = curl_multi_init() else { throw CurlError(code: -1, message: "curl_multi_init failed") }
        self.multi = multi
        timeoutMilliseconds = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        self.maxResponseBytes = maxResponseBytes
        self.caFile = caFile
        cshim_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxConnections)
        cshim_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnections)
        cshim_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxConnections)
        cshim_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
    }

    /// Whether the curl thread was started.
    public var isStarted: Bool { started.load(ordering: .acquiring) }

    /// Starts the curl thread (named `herald-curl`, as `top -H` shows it): from `TransportService.run()` in
    /// the daemon, or with the first request for a transport used on its own.
    public func start() {
        guard started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        let thread = Thread { [self] in self.loop() }
        thread.start()
    }

    /// Sends one request. Cancelling the calling task abandons the transfer at once: its result then says
    /// whether any of the request was handed to the connection (and so may have reached the server).
    public func send(_ request: HTTPRequest) async -> HTTPResult {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                enqueue(id: id, request) { result, _ in continuation.resume(returning: result) }
            }
        } onCancel: {
            cancel(id)
        }
    }

    /// Sends one request and returns the final response with its headers and URL (redirects followed up to the
    /// request's `maxRedirects`, over http and https only).
    public func fetch(_ request: HTTPRequest) async -> Result<FetchedResponse, HTTPFetchFailure> {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        let meta = ResponseMeta()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                enqueue(id: id, request, meta: meta) { result, _ in continuation.resume(returning: result) }
            }
        } onCancel: {
            cancel(id)
        }
        switch result {
        case .response(let status, let body): return .success(FetchedResponse(status: status, headers: meta.headers, body: body, url: meta.url ?? request.url))
        case .failure(let reason, _): return .failure(HTTPFetchFailure(reason))
        }
    }

    /// Sends one request and calls `completion` with its result on the transport's thread, without a task
    /// for the caller to keep: for callers with thousands of calls out. Returns the id `cancel` takes.
    @discardableResult
    public func send(_ request: HTTPRequest, completion: @escaping @Sendable (HTTPResult) -> Void) -> Int {
        send(request, timedCompletion: { result, _ in completion(result) })
    }

    /// As `send(_:completion:)`, with how long before the answer the request was written.
    @discardableResult
    public func send(_ request: HTTPRequest, timedCompletion: @escaping @Sendable (HTTPResult, Double?) -> Void) -> Int {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        enqueue(id: id, request, timedCompletion)
        return id
    }

    /// Abandons a transfer at once: its result then says whether any of the request was handed to the
    /// connection (and so may have reached the server).
    public func cancel(_ id: Int) {
        cancelled.withLock { _ = $0.insert(id) }
        curl_multi_wakeup(multi)
    }

    private func enqueue(id: Int, _ request: HTTPRequest, meta: ResponseMeta? = nil, _ completion: @escaping @Sendable (HTTPResult, Double?) -> Void) {
        start()
        guard running.load(ordering: .acquiring) else {
            completion(.failure(reason: "transport is shut down", requestSent: false), nil)
            return
        }
        // The thread empties the queue before each poll: only the first request into an empty queue needs to
        // wake it (a wake-up is a write(2) and a poll return; one per request was over a third of a campaign's
        // CPU in a profile).
        let wasEmpty = queue.withLock { queue in
            queue.append(Transfer(id: id, request: request, completion: completion, maxBytes: request.maxResponseBytes ?? maxResponseBytes, meta: meta))
            return queue.count == 1
        }
        if wasEmpty { curl_multi_wakeup(multi) }
    }

    /// Finishes the transfers in flight, then stops the thread.
    public func shutdown() async {
        // Never started: claim the start so no thread ever runs, and release the handle here.
        if started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            running.store(false, ordering: .releasing)
            curl_multi_cleanup(multi)
            return
        }
        await withCheckedContinuation { continuation in
            finished.withLock { $0 = continuation }
            running.store(false, ordering: .releasing)
            curl_multi_wakeup(multi)
        }
    }

    private func loop() {
        // Foundation's Thread.name does not reach the kernel on Linux; this is what `top -H` and /proc show.
        _ = cshim_name_current_thread("herald-curl")
        var active = 0
        // Transfer id → its easy handle, for cancellation.
        var handles: [Int: UnsafeMutableRawPointer] = [:]
        defer {
            for (easy, _) in spare { curl_easy_cleanup(easy) }
            spare = []
            for (_, list) in headerLists { curl_slist_free_all(list) }
            headerLists = [:]
        }
        while true {
            let incoming = queue.withLock { pending in
                defer { pending.removeAll(keepingCapacity: true) }
                return pending
            }
            let abandoned = cancelled.withLock { ids in
                defer { ids.removeAll() }
                return ids
            }
            for transfer in incoming {
                if abandoned.contains(transfer.id) {
                    transfer.completion(.failure(reason: "cancelled before it was sent", requestSent: false), nil)
                } else if let easy = start(transfer) {
                    handles[transfer.id] = easy
                    active += 1
                }
            }
            for id in abandoned {
                guard let easy = handles.removeValue(forKey: id) else { continue }
                complete(easy, code: CURLE_ABORTED_BY_CALLBACK, abandoned: true)
                active -= 1
            }
            var stillRunning: Int32 = 0
            curl_multi_perform(multi, &stillRunning)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                if let id = complete(easy, code: message.pointee.data.result) { handles[id] = nil }
                active -= 1
            }
            if !running.load(ordering: .acquiring) && active == 0 && queue.withLock({ $0.isEmpty }) { break }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        curl_multi_cleanup(multi)
        finished.withLock { $0?.resume(); $0 = nil }
    }

    /// Finished easy handles kept for the next transfers, each with the shape of its last one (nil: reset it before
    /// use): creating one per request cost an allocation storm and its buffers every time (curl thread only).
    nonisolated(unsafe) private var spare: [(easy: UnsafeMutableRawPointer, shape: HandleShape?)] = []
    /// Header lists by their lines: every request of a channel sends the same few (curl thread only).
    nonisolated(unsafe) private var headerLists: [[String]: UnsafeMutablePointer<curl_slist>] = [:]

    private func start(_ transfer: Transfer) -> UnsafeMutableRawPointer? {
        let reused = spare.popLast()
        guard let easy = reused?.easy ?? curl_easy_init() else {
            transfer.completion(.failure(reason: "curl_easy_init failed", requestSent: false), nil)
            return nil
        }
        let box = Unmanaged.passRetained(transfer).toOpaque()
        let shape = HandleShape(transfer, timeoutMilliseconds: timeoutMilliseconds, headers: headerList(transfer))
        transfer.shape = shape
        if let reused, let previous = reused.shape, previous == shape {
            // The handle's last transfer had the same options: only what belongs to this one is set (resetting and
            // setting them all again was a dozen allocations and frees per request).
            transfer.request.url.withCString { _ = cshim_curl_easy_setopt_string(easy, CURLOPT_URL, $0) }
            cshim_curl_easy_setopt_pointer(easy, CURLOPT_PRIVATE, box)
            cshim_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, box)
            if transfer.meta != nil { cshim_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, box) }
            if transfer.request.method == "POST" { setBody(easy, transfer, box) }
            curl_multi_add_handle(multi, easy)
            return easy
        }
        if reused != nil { curl_easy_reset(easy) }
        transfer.request.url.withCString { _ = cshim_curl_easy_setopt_string(easy, CURLOPT_URL, $0) }
        cshim_curl_easy_setopt_pointer(easy, CURLOPT_PRIVATE, box)
        cshim_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, box)
        cshim_curl_easy_setopt_write_function(easy, curlWrite)
        cshim_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        let timeout = transfer.request.timeoutSeconds.map { $0 * 1000 } ?? timeoutMilliseconds
        cshim_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, timeout)
        cshim_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, min(timeout, 10_000))
        cshim_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        cshim_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        caFile?.withCString { _ = cshim_curl_easy_setopt_string(easy, CURLOPT_CAINFO, $0) }
        cshim_curl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        cshim_curl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, transfer.request.maxRedirects > 0 ? 1 : 0)
        if transfer.request.maxRedirects > 0 {
            cshim_curl_easy_setopt_long(easy, CURLOPT_MAXREDIRS, transfer.request.maxRedirects)
            "http,https".withCString { _ = cshim_curl_easy_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, $0) }
        }
        if transfer.meta != nil {
            cshim_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, box)
            cshim_curl_easy_setopt_header_function(easy, curlHeader)
        }
        // API calls and answers are a few KB: libcurl's default 64 KB upload buffer per transfer, times the
        // calls in flight, was most of a large campaign's memory. 16 KB is its minimum. The receive buffer stays
        // with a reused handle, so every spare one kept its 16 KB: 4 KB holds a whole answer of the APIs.
        cshim_curl_easy_setopt_long(easy, CURLOPT_UPLOAD_BUFFERSIZE, 16 * 1024)
        cshim_curl_easy_setopt_long(easy, CURLOPT_BUFFERSIZE, 4 * 1024)
        "http,https".withCString { _ = cshim_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, $0) }
        "".withCString { _ = cshim_curl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, $0) }
        "Herald/1".withCString { _ = cshim_curl_easy_setopt_string(easy, CURLOPT_USERAGENT, $0) }
        cshim_curl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(shape.headers))
        if transfer.request.method == "POST" {
            cshim_curl_easy_setopt_long(easy, CURLOPT_POST, 1)
            // libcurl silently sends a request again on a fresh connection when a reused one died after taking it;
            // a POST may have been acted on, so the second attempt is refused: the transfer fails, reported as
            // possibly delivered. (POSTs follow no redirects, which would call the callback again too.)
            cshim_curl_easy_setopt_prereq_function(easy, curlPrerequest)
            setBody(easy, transfer, box)
        } else if transfer.request.method != "GET" {
            transfer.request.method.withCString { _ = cshim_curl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, $0) }
        }
        curl_multi_add_handle(multi, easy)
        return easy
    }

    /// A POST's body, and its transfer as the pre-request callback's context.
    private func setBody(_ easy: UnsafeMutableRawPointer, _ transfer: Transfer, _ box: UnsafeMutableRawPointer) {
        // The body is copied into libcurl's request buffer, so that headers and body leave in one send (fed by a
        // read callback, the body took a second send, a second segment and another pass of the loop).
        cshim_curl_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(transfer.request.body.count))
        if transfer.request.body.isEmpty {
            // libcurl copies at least one byte.
            "".withCString { _ = cshim_curl_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, $0) }
        } else {
            transfer.request.body.withUnsafeBytes { _ = cshim_curl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress!)) }
        }
        cshim_curl_easy_setopt_pointer(easy, CURLOPT_PREREQDATA, box)
    }

    /// Finishes a transfer (done, failed, or abandoned by its caller); returns its id.
    @discardableResult
    private func complete(_ easy: UnsafeMutableRawPointer, code: CURLcode, abandoned: Bool = false) -> Int? {
        var pointer: UnsafeMutableRawPointer?
        cshim_curl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &pointer)
        let transfer = Unmanaged<Transfer>.fromOpaque(pointer!).takeRetainedValue()
        var status = 0
        cshim_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        var requestSize = 0
        cshim_curl_easy_getinfo_long(easy, CURLINFO_REQUEST_SIZE, &requestSize)
        if let meta = transfer.meta {
            var url: UnsafeMutableRawPointer?
            cshim_curl_easy_getinfo_pointer(easy, CURLINFO_EFFECTIVE_URL, &url)
            meta.url = url.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) }
        }
        curl_multi_remove_handle(multi, easy)
        // Kept for reuse with its options, which the next transfer of the same shape keeps (the connection cache
        // belongs to the multi handle either way); an abandoned one is reset before its next use.
        if spare.count < 1024 { spare.append((easy, abandoned ? nil : transfer.shape)) } else { curl_easy_cleanup(easy) }
        if let list = transfer.headers { curl_slist_free_all(list) }
        let result: HTTPResult
        // A POST that reached the point of sending may have reached the platform; other requests once any byte went.
        let sent = transfer.request.method == "POST" ? transfer.attempts > 0 : requestSize > 0
        if abandoned {
            result = .failure(reason: "cancelled while in flight", requestSent: sent)
        } else if transfer.attempts > 1 {
            result = .failure(reason: "the connection died after taking the request (libcurl's resend refused)", requestSent: true)
        } else if code == CURLE_OK {
            result = .response(status: status, body: transfer.body)
        } else if transfer.overflowed {
            result = .failure(reason: "response larger than \(transfer.maxBytes) bytes", requestSent: true)
        } else {
            let message = String(cString: curl_easy_strerror(code))
            result = .failure(reason: "\(message) (curl \(code.rawValue))", requestSent: sent)
        }
        transfer.completion(result, abandoned ? nil : writtenBefore(easy))
        return transfer.id
    }
}

extension CurlTransport {
    /// How long before its end a finished transfer's request was written: from libcurl's clock, which starts each
    /// transfer at zero (nil when it never got that far).
    fileprivate func writtenBefore(_ easy: UnsafeMutableRawPointer) -> Double? {
        var pretransfer: curl_off_t = 0
        var total: curl_off_t = 0
        cshim_curl_easy_getinfo_off(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer)
        cshim_curl_easy_getinfo_off(easy, CURLINFO_TOTAL_TIME_T, &total)
        guard pretransfer > 0, total >= pretransfer else { return nil }
        return Double(total - pretransfer) / 1_000_000
    }

    /// The transfer's header list (plus `Expect:`, which turns off 100-continue), built once per set of lines.
    fileprivate func headerList(_ transfer: Transfer) -> UnsafeMutablePointer<curl_slist>? {
        let lines = transfer.request.headers
        if let list = headerLists[lines] { return list }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for line in lines + ["Expect:"] { list = curl_slist_append(list, line) }
        // A bounded cache (channels send a handful of distinct sets); past it, the transfer frees its own.
        if headerLists.count < 64, let list { headerLists[lines] = list } else { transfer.headers = list }
        return list
    }
}

/// One request in flight: owned by the curl thread from submission to completion.
final class Transfer: @unchecked Sendable {
    let id: Int
    let request: HTTPRequest
    /// Gets the result, and how many seconds before it the request was written (nil: not known).
    let completion: @Sendable (HTTPResult, Double?) -> Void
    let maxBytes: Int
    var body: [UInt8] = []
    var overflowed = false
    /// How many times libcurl was about to send the request (a second time is a resend, refused).
    var attempts = 0
    /// A header list built for this transfer alone (not cached), freed with it.
    var headers: UnsafeMutablePointer<curl_slist>?
    /// The options its handle was given, for the next transfer on the handle to compare with.
    var shape: HandleShape?
    /// Where the response's headers and final URL go, for fetches that want them.
    let meta: ResponseMeta?

    init(id: Int, request: HTTPRequest, completion: @escaping @Sendable (HTTPResult, Double?) -> Void, maxBytes: Int, meta: ResponseMeta? = nil) {
        self.id = id
        self.request = request
        self.completion = completion
        self.maxBytes = maxBytes
        self.meta = meta
    }
}

/// The options of a transfer besides its URL, body and context: a handle whose last transfer had the same shape is
/// reused without setting them again. A transfer with a header list of its own (freed with it) never matches.
struct HandleShape: Equatable {
    var method: String
    var timeoutMilliseconds: Int
    var maxRedirects: Int
    var wantsHeaders: Bool
    var headers: UnsafeMutablePointer<curl_slist>?
    var ownsHeaders: Bool

    init(_ transfer: Transfer, timeoutMilliseconds: Int, headers: UnsafeMutablePointer<curl_slist>?) {
        method = transfer.request.method
        self.timeoutMilliseconds = transfer.request.timeoutSeconds.map { $0 * 1000 } ?? timeoutMilliseconds
        maxRedirects = transfer.request.maxRedirects
        wantsHeaders = transfer.meta != nil
        self.headers = headers
        ownsHeaders = transfer.headers != nil
    }

    static func == (a: HandleShape, b: HandleShape) -> Bool {
        !a.ownsHeaders && !b.ownsHeaders && a.method == b.method && a.timeoutMilliseconds == b.timeoutMilliseconds
            && a.maxRedirects == b.maxRedirects && a.wantsHeaders == b.wantsHeaders && a.headers == b.headers
    }
}

/// A fetch's response headers and final URL: written by the curl thread before the completion runs, read after.
final class ResponseMeta: @unchecked Sendable {
    var headers: [String] = []
    var url: String?
}

/// libcurl's header callback: keeps the header lines of the last response (a redirect's are dropped when the
/// next response begins).
private func curlHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    let length = size * count
    guard let data, let context else { return length }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    guard let meta = transfer.meta else { return length }
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) }
        .trimmingCharacters(in: .whitespacesAndNewlines)
    if line.hasPrefix("HTTP/") {
        meta.headers = []
    } else if !line.isEmpty, meta.headers.count < 200 {
        meta.headers.append(line)
    }
    return length
}

/// libcurl's pre-request callback, called each time a request is about to be sent: the first time goes, a resend
/// on another connection is refused.
private func curlPrerequest(_ context: UnsafeMutableRawPointer?, _ remoteIP: UnsafeMutablePointer<CChar>?, _ localIP: UnsafeMutablePointer<CChar>?, _ remotePort: Int32, _ localPort: Int32) -> Int32 {
    guard let context else { return CURL_PREREQFUNC_OK }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    transfer.attempts += 1
    return transfer.attempts > 1 ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK
}

/// libcurl's write callback: appends to the transfer's body, refusing more than its cap.
private func curlWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    if transfer.body.count + length > transfer.maxBytes {
        transfer.overflowed = true
        return 0
    }
    data.withMemoryRebound(to: UInt8.self, capacity: length) { transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) }
    return length
}

/// A libcurl failure outside a transfer.
public struct CurlError: Error, Sendable {
    public var code: Int
    public var message: String
}
