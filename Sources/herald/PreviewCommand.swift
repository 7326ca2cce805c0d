import ArgumentParser
import Foundation
import HeraldCore
import HeraldModel

/// `herald preview JOB.json`: what each platform would receive for one subscriber, and who would see fallbacks.
struct PreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Show exactly what a campaign or message job would send: each API request, and how it reads.",
        discussion: """
            Renders the job's message with the dispatcher's own renderers for one subscriber: a stored one \
            (--subscriber ID), a made-up profile (--as first_name=Ada --as fields.city=Rome), or none (fallbacks \
            shown). Then warns about personalisation that is empty for part of the audience, counted in the \
            database when it can be read. Nothing is sent and nothing is written.

            Examples:
              herald preview spool/examples/telegram-campaign.json
              herald preview spring.json --subscriber 123456789
              herald preview spring.json --as first_name=Ada --as fields.city=Rome --format json
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var options: ConfigurationOptions
    @Argument(help: "A campaign or message job file; - reads standard input.") var file: String
    @Option(help: "Render for this stored subscriber of the job's account (Telegram chat id or Messenger PSID).") var subscriber: String?
    @Option(name: .customLong("as"), help: "Render for a made-up profile: first_name, last_name, username, locale or fields.NAME = VALUE (repeatable).")
    var profileValues: [String] = []
    @Option(help: "text, or json (the request bodies, readings and warnings as one JSON document).") var format: Format = .text

    func validate() throws {
        if subscriber != nil && !profileValues.isEmpty { throw ValidationError("use --subscriber or --as, not both") }
        _ = try Self.profile(profileValues, platformID: "0")
    }

    func run() async throws {
        let (_, configuration) = try options.load(readingSecrets: false)
        let check = JobFileCheck(configuration: configuration)
        let (job, _, bytes) = try MessageJobFile.read(file, check: check, purpose: "preview")
        guard let draft = CampaignDraft(job) else { throw ExitCode(1) }
        guard let account = configuration.accounts[draft.account] else { throw ExitCode(1) }
        let store = FileManager.default.fileExists(atPath: configuration.databasePath) ? try? HeraldStore(readingAt: configuration.databasePath) : nil

        var who: String
        var profile: Profile
        if let subscriber {
            guard let store else {
                printError("herald: --subscriber needs the database at \(configuration.databasePath), which cannot be read here")
                throw ExitCode(1)
            }
            guard let stored = try await store.profile(account: draft.account, platformID: subscriber) else {
                printError("herald: \(draft.account) has no subscriber \(subscriber)")
                throw ExitCode(1)
            }
            profile = stored
            who = "subscriber \(subscriber)" + (profile.firstName.map { " (\($0)\(profile.lastName.map { " " + $0 } ?? ""))" } ?? "")
        } else if !profileValues.isEmpty {
            profile = try Self.profile(profileValues, platformID: Self.sampleID(for: draft))
            who = "a made-up profile (\(profileValues.joined(separator: ", ")))"
        } else if case .recipients(let recipients) = draft.audience, let first = recipients.first {
            profile = Profile(platformID: first.platformID, firstName: first.firstName, lastName: first.lastName, username: first.username, locale: first.locale, fields: first.fields)
            who = "the job's first recipient, \(first.platformID)"
        } else {
            profile = Profile(platformID: Self.sampleID(for: draft))
            who = "a subscriber with no profile data (fallbacks shown; try --subscriber ID or --as first_name=Ada)"
        }

        let preview: MessagePreview
        do {
            preview = try MessagePreview.render(draft.spec.content, platform: draft.spec.platform, options: draft.spec.options, profile: profile)
        } catch {
            printError("herald: \(file): for \(who) the message cannot be sent: \(error)")
            throw ExitCode(1)
        }
        var warnings: [String] = []
        let variables = MessagePreview.variables(in: draft.spec.content)
        for variable in variables where MessagePreview.isMissing(variable, in: profile) && (subscriber != nil || !profileValues.isEmpty) {
            warnings.append("\(variable) is empty for this profile: it sees the fallback, or nothing")
        }
        if !variables.isEmpty {
            if let store, let gaps = try? await store.profileGaps(account: draft.account, audience: draft.audience, variables: variables) {
                for variable in variables {
                    guard let missing = gaps.missing[variable], missing > 0 else { continue }
                    let share = Int((Double(missing) / Double(max(gaps.total, 1)) * 100).rounded())
                    warnings.append("\(variable) is empty for \(missing) of \(gaps.total) in the audience (\(share) %): they see the fallback, or nothing")
                }
            } else {
                warnings.append("the audience could not be checked for empty \(variables.joined(separator: ", ")): no readable database at \(configuration.databasePath)")
            }
        }
        let tracked = draft.spec.options.tracking && !TrackedLinks.links(draft.spec.content, platform: draft.spec.platform).isEmpty
        let note = tracked ? "links go out as tracked links (\(configuration.http.publicURL ?? "public_url")/c/…, one per recipient) that redirect to the addresses shown" : nil

        let urls = preview.calls.map { Self.url($0.endpoint, account: account) }
        switch format {
        case .json:
            var calls: [JSONValue] = []
            for (index, call) in preview.calls.enumerated() {
                calls.append(.object(["method": .string("POST"), "url": .string(urls[index]), "body": call.body, "reading": .array(call.reading.map(JSONValue.string))]))
            }
            var document: JSONObject = [
                "job_id": draft.name.map(JSONValue.string) ?? JSONValue.null, "account": .string(draft.account), "platform": .string(draft.spec.platform.rawValue),
                "recipient": .string(profile.platformID), "calls": .array(calls), "warnings": .array(warnings.map(JSONValue.string)),
            ]
            document.set("job_id", check.readableID(bytes).map { .string($0.rawValue) } ?? .null)
            if let note { document.set("note", .string(note)) }
            print(JSONValue.object(document).jsonText)
        case .text:
            let id = check.readableID(bytes).map { "job \($0), " } ?? ""
            print("Preview of \(file) (\(id)\(draft.kind.rawValue) on \(draft.account), \(draft.spec.platform.rawValue)) for \(who):")
            for (index, call) in preview.calls.enumerated() {
                print("")
                print("\(index + 1) of \(preview.calls.count) · POST \(urls[index])")
                print(call.body.jsonText)
                for line in call.reading { print("  │ \(line)") }
            }
            if let note { print("\nnote: \(note)") }
            for warning in warnings { print("warning: \(warning)") }
        }
    }

    /// The request's address, its secret left out.
    static func url(_ endpoint: String, account: AccountConfiguration) -> String {
        switch account.platform {
        case .telegram: "\(account.apiBaseURL)/bot<token>/\(endpoint)"
        case .messenger: "\(account.apiBaseURL)/\(account.graphVersion)/\(account.pageID ?? "me")/\(endpoint)?access_token=<token>"
        }
    }

    /// A recipient id that passes each platform's checks, for previews without one.
    static func sampleID(for draft: CampaignDraft) -> String {
        draft.spec.platform == .telegram ? "123456789" : "1234567890123456"
    }

    /// A profile from `--as NAME=VALUE` pairs.
    static func profile(_ pairs: [String], platformID: String) throws -> Profile {
        var profile = Profile(platformID: platformID)
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "=") else { throw ValidationError("--as \(pair): write NAME=VALUE, like first_name=Ada") }
            let name = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
            switch name {
            case "first_name": profile.firstName = value
            case "last_name": profile.lastName = value
            case "username": profile.username = value
            case "locale": profile.locale = value
            default:
                guard name.hasPrefix("fields."), name.count > 7 else {
                    throw ValidationError("--as \(pair): NAME is first_name, last_name, username, locale or fields.NAME")
                }
                profile.fields[String(name.dropFirst(7))] = value
            }
        }
        return profile
    }
}

/// A campaign or message job file read for `preview` and `test-send`: validated as the daemon would, its rejection
/// (or another kind of job) said and the command ended.
enum MessageJobFile {
    static func read(_ file: String, check: JobFileCheck, purpose: String) throws -> (job: Job, document: JSONValue, bytes: [UInt8]) {
        var bytes: [UInt8] = []
        do {
            bytes = try check.read(file)
            let (job, document) = try check.validate(bytes)
            guard job.kind == .campaign || job.kind == .message else {
                printError("herald: \(file): only campaign and message jobs send a message to \(purpose)")
                throw ExitCode(1)
            }
            return (job, document, bytes)
        } catch let error as JobValidationError {
            printError("\(check.label(file, bytes: bytes)): \(error)")
            throw ExitCode(1)
        }
    }
}
