import Glibc

/// `.dockerignore` rules, as BuildKit applies them: one pattern per line, `#` comments, `!` to
/// re-include, `**` for any number of directories, `*` `?` `[…]` within one path element; the last
/// pattern that matches a path (or one of its parent directories) decides.
public struct DockerIgnore: Sendable, Equatable {
    struct Rule: Sendable, Equatable {
        var elements: [String]
        var exclusion: Bool
    }

    var rules: [Rule]

    public init(parsing text: String) {
        rules = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).compactMap { raw in
            var line = Substring(raw)
            while let c = line.last, c == "\r" || c == " " || c == "\t" { line = line.dropLast() }
            while let c = line.first, c == " " || c == "\t" { line = line.dropFirst() }
            if line.isEmpty || line.first == "#" { return nil }
            var exclusion = false
            if line.first == "!" {
                exclusion = true
                line = line.dropFirst()
            }
            let elements = DockerIgnore.clean(String(line))
            return elements.isEmpty ? nil : Rule(elements: elements, exclusion: exclusion)
        }
    }

    /// Whether `path` (relative to the context, `/`-separated) is left out of the context.
    public func excludes(_ path: String) -> Bool {
        let elements = DockerIgnore.clean(path)
        var excluded = false
        for rule in rules where DockerIgnore.matchesOrParent(rule.elements, elements) {
            excluded = !rule.exclusion
        }
        return excluded
    }

    /// Whether some `!` rule could bring back a path below `directory`, so walking it is still needed.
    public func mayReinclude(below directory: String) -> Bool {
        let dir = DockerIgnore.clean(directory)
        return rules.contains { rule in
            rule.exclusion && (rule.elements.contains("**") || zip(rule.elements, dir).allSatisfy { fnmatch($0, $1, 0) == 0 })
        }
    }

    /// filepath.Clean on `/`-separated paths, without the leading `/` or `./`.
    static func clean(_ path: String) -> [String] {
        var out: [String] = []
        for element in path.split(separator: "/") where element != "." {
            if element == ".." { _ = out.popLast() } else { out.append(String(element)) }
        }
        return out
    }

    static func matchesOrParent(_ pattern: [String], _ path: [String]) -> Bool {
        (1...max(path.count, 1)).contains { matches(pattern[...], path.prefix($0)) }
    }

    static func matches(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>) -> Bool {
        guard let head = pattern.first else { return path.isEmpty }
        if head == "**" {
            let rest = pattern.dropFirst()
            return (0...path.count).contains { matches(rest, path.dropFirst($0)) }
        }
        guard let first = path.first, fnmatch(head, first, 0) == 0 else { return false }
        return matches(pattern.dropFirst(), path.dropFirst())
    }
}
