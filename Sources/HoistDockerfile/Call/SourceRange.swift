/// The lines an instruction spans (BuildKit's `pb.Range`, whose characters Dockerfile ranges leave at 0).
public struct SourceRange: Sendable, Equatable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    init(_ located: LocatedInstruction) { self.init(start: located.location.line, end: located.endLine) }
}

extension Node {
    /// BuildKit's getComment: the rest of the first comment above that starts with `name` and a space.
    func description(of name: String) -> String? {
        guard !name.isEmpty else { return nil }
        for line in comments where line.hasPrefix(name + " ") { return String(line.dropFirst(name.count + 1)) }
        return nil
    }
}

extension Dockerfile {
    /// The parse-tree node of an instruction (they are parallel: one node per instruction).
    func node(of located: LocatedInstruction) -> Node? {
        guard let i = instructions.firstIndex(where: { $0.location == located.location }) else { return nil }
        return tree.nodes[i]
    }
}
