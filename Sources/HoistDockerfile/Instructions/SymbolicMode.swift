/// `--chmod` in symbolic form (`u+x`, `go=r`, `a-w,u+rwX`), as chmod(1) and BuildKit read it.
public struct SymbolicMode: Sendable, Equatable {
    struct Clause: Sendable, Equatable {
        var who: UInt32       // bits of 0o7777 the clause may touch
        var op: Character     // + - =
        var perms: UInt32     // rwx in the 0o7 position, replicated by `who`
        var conditionalX: Bool
        var setID: Bool
        var sticky: Bool
    }

    var clauses: [Clause]

    public static func parse(_ text: String) -> SymbolicMode? {
        var clauses: [Clause] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            var s = Substring(part)
            var who: UInt32 = 0
            while let c = s.first, "ugoa".contains(c) {
                who |= ["u": 0o4700, "g": 0o2070, "o": 0o1007, "a": 0o7777][c]!
                s = s.dropFirst()
            }
            if who == 0 { who = 0o7777 }
            guard let op = s.first, "+-=".contains(op) else { return nil }
            s = s.dropFirst()
            var clause = Clause(who: who, op: op, perms: 0, conditionalX: false, setID: false, sticky: false)
            for c in s {
                switch c {
                case "r": clause.perms |= 0o4
                case "w": clause.perms |= 0o2
                case "x": clause.perms |= 0o1
                case "X": clause.conditionalX = true
                case "s": clause.setID = true
                case "t": clause.sticky = true
                default: return nil
                }
            }
            clauses.append(clause)
        }
        return clauses.isEmpty ? nil : SymbolicMode(clauses: clauses)
    }

    /// The mode after applying the clauses to `mode` (a directory when `isDirectory`).
    public func apply(to mode: UInt32, isDirectory: Bool) -> UInt32 {
        var m = mode & 0o7777
        for c in clauses {
            var bits: UInt32 = 0
            let perms = c.perms | ((c.conditionalX && (isDirectory || m & 0o111 != 0)) ? 0o1 : 0)
            bits |= (perms << 6 | perms << 3 | perms) & c.who & 0o777
            if c.setID { bits |= c.who & 0o6000 }
            if c.sticky { bits |= c.who & 0o1000 }
            switch c.op {
            case "+": m |= bits
            case "-": m &= ~bits
            default: m = (m & ~(c.who & 0o7777)) | bits
            }
        }
        return m
    }
}
