/// An instruction's `--flags`, checked against what it accepts, as BuildKit's BFlags does.
struct FlagSet {
    enum Kind { case string, bool, list }

    private(set) var strings: [String: String] = [:]
    private(set) var bools: [String: Bool] = [:]
    private(set) var lists: [String: [String]] = [:]

    init(_ flags: [String], allowed: [String: Kind], keyword: String) throws {
        for flag in flags {
            guard flag.hasPrefix("--") else { throw FlagError("\"\(flag)\" is not a flag: flags start with --") }
            let body = flag.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            let value: String? = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
            guard let kind = allowed[name] else {
                let known = allowed.keys.sorted().map { "--" + $0 }
                let close = allowed.keys.first { $0.hasPrefix(name) && name.count >= 2 }
                    ?? allowed.keys.min { editDistance($0, name) < editDistance($1, name) }.flatMap { editDistance($0, name) <= 2 ? $0 : nil }
                let guess = close.map { " (did you mean --\($0)?)" } ?? ""
                throw FlagError("unknown flag --\(name) for \(keyword)\(guess)" + (known.isEmpty ? "; \(keyword) takes no flags" : "; it accepts \(known.joined(separator: ", "))"))
            }
            switch kind {
            case .string:
                guard strings[name] == nil else { throw FlagError("--\(name) is given twice; give it once") }
                guard let value else { throw FlagError("--\(name) needs a value: --\(name)=VALUE") }
                strings[name] = value
            case .bool:
                guard bools[name] == nil else { throw FlagError("--\(name) is given twice; give it once") }
                switch value?.lowercased() {
                case nil, "true": bools[name] = true
                case "false": bools[name] = false
                case let v?: throw FlagError("--\(name)=\(v): expected true or false")
                }
            case .list:
                guard let value else { throw FlagError("--\(name) needs a value: --\(name)=VALUE") }
                lists[name, default: []].append(value)
            }
        }
    }
}

struct FlagError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
