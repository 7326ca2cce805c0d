import Foundation

/// The demo's running commentary: a live line on a terminal, plain lines otherwise.
struct DemoProgress {
    let terminal: Bool

    func say(_ line: String) {
        print("• " + line)
    }

    /// Waits until `done` (checked every 100 ms), then says `what`; fails after `timeout` seconds.
    func wait(_ what: String, timeout: Double, _ done: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(timeout))
        while try await !done() {
            guard ContinuousClock.now < deadline else { throw DemoError("timed out after \(Int(timeout)) s waiting for: \(what) (see herald.log)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        say(what)
    }

    /// Shows `step`'s line as it changes (live on a terminal, every 2 s otherwise) until it says it is done.
    func live(timeout: Double, _ step: () async throws -> (done: Bool, line: String)) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(timeout))
        var lastPrinted = ContinuousClock.now.advanced(by: .seconds(-10))
        while true {
            let (done, line) = try await step()
            if terminal {
                print("\r\u{1B}[2K  " + line, terminator: done ? "\n" : "")
                fflush(nil)
            } else if done || ContinuousClock.now - lastPrinted >= .seconds(2) {
                print("  " + line)
                lastPrinted = .now
            }
            if done { return }
            guard ContinuousClock.now < deadline else { throw DemoError("timed out after \(Int(timeout)) s: \(line)") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
