import ArgumentParser
import Foundation
import HeraldCore
import Logging

/// `herald run`: the daemon in the foreground (what systemd starts).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the daemon in the foreground.",
        discussion: """
            What systemd starts (Type=notify): SIGTERM drains within drain_timeout_seconds, SIGHUP reloads the configuration.
            Examples:
              herald run
              herald run --config ./herald.toml --log-level debug
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let (path, configuration) = try options.load()
        let (target, warning) = try LogTarget.resolve(environment: ProcessInfo.processInfo.environment)
        target.bootstrap(level: logLevel)
        let logger = Logger(label: "herald")
        if let warning { logger.warning("\(warning)", metadata: ["event": "log_target_fallback"]) }
        logger.notice("herald starting: spool \(configuration.spoolDirectory), state \(configuration.stateDirectory), configuration \(path ?? "embedded defaults")", metadata: ["event": "starting"])
        do {
            let (spool, state) = (options.spool, options.state)
            try await Daemon.run(configuration: configuration, configurationPath: path, logger: logger) { reloaded in
                if let spool { reloaded.spoolDirectory = spool }
                if let state { reloaded.stateDirectory = state }
            }
        } catch {
            logger.critical("herald stopped: \(error)", metadata: ["event": "fatal"])
            throw ExitCode(1)
        }
        logger.notice("herald stopped", metadata: ["event": "stopped"])
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
