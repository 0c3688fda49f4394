/// Finds heredoc markers (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`) in RUN, COPY and ADD lines.
enum HeredocReader {
    static func canContainHeredoc(_ node: Node) -> Bool {
        var target = node
        if target.keyword.lowercased() == "onbuild", case let .child(child)? = target.arguments.first { target = child }
        return ["run", "copy", "add"].contains(target.keyword.lowercased()) && !target.isJSON
    }

    static func heredocs(in line: String) -> [Heredoc] {
        guard line.utf8.contains(UInt8(ascii: "<")) else { return [] }  // the common case, without splitting words
        return ShellWords(escape: "\\").split(line).compactMap(heredoc(from:))
    }

    /// `^(\d*)<<(-?)([^<]*)$` on one word, the name being the rest without its quotes.
    static func heredoc(from word: String) -> Heredoc? {
        let fd = word.prefix { $0.isASCII && $0.isNumber }
        guard word.dropFirst(fd.count).hasPrefix("<<") else { return nil }
        var rest = word.dropFirst(fd.count + 2)
        let chomp = rest.first == "-"
        if chomp { rest = rest.dropFirst() }
        guard !rest.isEmpty, !rest.contains("<") else { return nil }
        let quoted = rest.contains("\"") || rest.contains("'")
        guard let name = try? ShellWords(escape: "\\").removeQuotes(String(rest)), !name.isEmpty,
              !name.contains(where: { $0 == " " || $0 == "\t" }) else { return nil }
        return Heredoc(name: name, fileDescriptor: Int(fd) ?? 0, expand: !quoted, chomp: chomp, content: "")
    }
}
