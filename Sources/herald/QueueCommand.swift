import ArgumentParser
import Foundation
import HeraldCore
import HeraldModel

/// `herald queue`: what waits to be sent, by account and age, like Postfix's qshape.
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Show what waits to be sent, by account and by how long its campaign has been under way (like qshape).",
        discussion: """
            Columns are minutes since the campaign started (T: the total). Deliveries pending, being sent or \
            uncertain count; a row that keeps growing to the right is an account that cannot send (see herald status \
            and the journal). Example: herald queue
            """
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let (_, configuration) = try options.load(readingSecrets: false)
        let shape = try await openStore(configuration).queueShape(now: Date())
        print(shape.total == 0 ? "Nothing waits to be sent." : shape.table)
    }
}
