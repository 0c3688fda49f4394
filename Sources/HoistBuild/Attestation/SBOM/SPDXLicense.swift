import HoistOCI

/// Licence strings as package databases give them, turned into what SPDX 2.3 accepts: an
/// expression (annex D) of identifiers from the SPDX licence list, or else a `LicenseRef-`.
/// Only the identifiers common in packages are known here; an expression naming another one
/// becomes a `LicenseRef-` with its text kept, which is valid and loses nothing.
enum SPDXLicense {
    static let known: Set<String> = [
        "0BSD", "AFL-2.1", "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-1.1", "Apache-2.0", "Artistic-1.0", "Artistic-1.0-Perl",
        "Artistic-2.0", "BSD-1-Clause", "BSD-2-Clause", "BSD-2-Clause-Patent", "BSD-3-Clause", "BSD-4-Clause", "BSL-1.0", "bzip2-1.0.6",
        "CC-BY-3.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "CDDL-1.0", "curl", "EPL-1.0", "EPL-2.0", "GFDL-1.3-or-later",
        "GPL-1.0-or-later", "GPL-2.0", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-2.0+", "GPL-3.0", "GPL-3.0-only",
        "GPL-3.0-or-later", "GPL-3.0+", "ICU", "IJG", "ISC", "LGPL-2.0-only", "LGPL-2.0-or-later", "LGPL-2.1", "LGPL-2.1-only",
        "LGPL-2.1-or-later", "LGPL-2.1+", "LGPL-3.0", "LGPL-3.0-only", "LGPL-3.0-or-later", "LGPL-3.0+", "libpng-2.0", "MIT",
        "MIT-0", "MPL-1.1", "MPL-2.0", "NCSA", "OpenSSL", "PHP-3.01", "PostgreSQL", "PSF-2.0", "Python-2.0", "Ruby", "Unicode-DFS-2016",
        "Unlicense", "W3C", "WTFPL", "X11", "Zlib", "ZPL-2.1",
    ]
    static let exceptions: Set<String> = ["Classpath-exception-2.0", "GCC-exception-3.1", "LLVM-exception", "OpenSSL-exception"]

    /// Whether `text` is an SPDX licence expression over known identifiers: `A`, `A OR B`,
    /// `(A AND B) OR C`, `A WITH EXCEPTION`.
    static func isExpression(_ text: String) -> Bool {
        var tokens: [String] = []
        var current = ""
        for character in text {
            if character == "(" || character == ")" || character == " " {
                if !current.isEmpty { tokens.append(current); current = "" }
                if character != " " { tokens.append(String(character)) }
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        var depth = 0, expectTerm = true, afterWith = false
        for token in tokens {
            switch token {
            case "(":
                guard expectTerm else { return false }
                depth += 1
            case ")":
                guard !expectTerm, depth > 0 else { return false }
                depth -= 1
            case "AND", "OR", "WITH":
                guard !expectTerm else { return false }
                expectTerm = true
                afterWith = token == "WITH"
                continue
            default:
                guard expectTerm, afterWith ? exceptions.contains(token) : known.contains(token) else { return false }
                expectTerm = false
            }
            afterWith = false
        }
        return !tokens.isEmpty && !expectTerm && depth == 0
    }

    /// The `idstring` of a `LicenseRef-` for `text`: letters, digits, `.` and `-` only, with a
    /// short hash of the whole text so two texts never share one.
    static func idString(_ text: String) -> String {
        let cleaned = String(text.prefix(40).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") ? $0 : "-" })
        return cleaned + "-" + Digest.sha256(of: Array(text.utf8)).encoded.prefix(8)
    }
}
