/// The simulated people of both platforms, made from a seed with the shares asked for.
public struct Population: Sendable {
    /// Shares of the population that cannot be reached, each between 0 and 1.
    public struct Shares: Sendable {
        public var blocked = 0.04
        public var deactivated = 0.01
        public var neverStarted = 0.02
        public init() {}
    }

    public private(set) var people: [Person] = []
    private var index: [String: Int] = [:]

    public init() {}

    /// `telegram` Telegram users and `messenger` Messenger users, their growth sources drawn from `sources`.
    public init(telegram: Int, messenger: Int, sources: [String], shares: Shares = Shares(), seed: UInt64) {
        var random = SimulatorRandom(seed: seed)
        let first = ["Ada", "Grace", "Alan", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Radia", "Guido", "Sofia", "Luca", "Chiara", "Mateo", "Léa", "Jonas", "Ana", "Yuki"]
        let last = ["Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Perlman", "Rossi", "Bianchi", "García", "Martin", "Müller", "Silva"]
        let locales: [(String, Double)] = [("en_US", -5), ("en_GB", 0), ("it_IT", 1), ("es_ES", 1), ("fr_FR", 1), ("de_DE", 1), ("pt_BR", -3), ("ja_JP", 9)]
        for network in [Person.Network.telegram, .messenger] {
            for number in 0..<(network == .telegram ? telegram : messenger) {
                let roll = Double.random(in: 0..<1, using: &random)
                let reachability: Person.Reachability =
                    roll < shares.blocked ? .blocked
                    : roll < shares.blocked + shares.deactivated ? .deactivated
                    : roll < shares.blocked + shares.deactivated + shares.neverStarted ? .neverStarted : .reachable
                let (locale, zone) = locales.randomElement(using: &random)!
                let firstName = first.randomElement(using: &random)!
                let id = network == .telegram ? String(700_000_000 + number * 7 + 1) : String(2_400_000_000_000_000 + number * 13 + 1)
                add(Person(
                    network: network, id: id, firstName: firstName, lastName: last.randomElement(using: &random)!,
                    username: network == .telegram ? "\(firstName.lowercased().filter(\.isASCII))\(number)" : nil,
                    locale: locale, timeZone: zone, reachability: reachability,
                    source: sources.isEmpty ? "first_message" : sources[number % sources.count]
                ))
            }
        }
    }

    /// Adds or replaces a person.
    public mutating func add(_ person: Person) {
        let key = "\(person.network.rawValue):\(person.id)"
        if let existing = index[key] {
            people[existing] = person
        } else {
            index[key] = people.count
            people.append(person)
        }
    }

    /// The person with that id on that network, if simulated.
    public func person(_ network: Person.Network, _ id: String) -> Person? {
        index["\(network.rawValue):\(id)"].map { people[$0] }
    }

    /// Changes what the platform says about a person (a block, say).
    public mutating func set(_ network: Person.Network, _ id: String, reachability: Person.Reachability) {
        guard let position = index["\(network.rawValue):\(id)"] else { return }
        people[position].reachability = reachability
    }
}
