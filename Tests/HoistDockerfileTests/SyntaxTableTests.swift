import Testing
@testable import HoistDockerfile

/// How lines become parse trees, as BuildKit's dump shows them: every instruction, every flag,
/// continuations, directives, JSON versus shell form, case-insensitive keywords.
struct SyntaxTableTests {
    static let cases: [(String, String)] = [
        ("FROM busybox", #"(from "busybox")"#),
        ("from busybox AS b", #"(from "busybox" "AS" "b")"#),
        ("FROM --platform=linux/arm64 busybox", #"(from ["--platform=linux/arm64"] "busybox")"#),
        ("FROM\tbusybox", #"(from "busybox")"#),
        ("COPY --from=b --chown=1:2 a /b/", #"(copy ["--from=b" "--chown=1:2"] "a" "/b/")"#),
        ("COPY --link --parents --exclude=*.md . /app", #"(copy ["--link" "--parents" "--exclude=*.md"] "." "/app")"#),
        ("COPY --chmod=u+x,go=r run.sh /bin/", #"(copy ["--chmod=u+x,go=r"] "run.sh" "/bin/")"#),
        (#"COPY --chown="app user" a b"#, #"(copy ["--chown=app user"] "a" "b")"#),
        ("COPY -- --weird /x", #"(copy "--weird" "/x")"#),
        (#"COPY ["a b", "/c d/"]"#, #"(copy "a b" "/c d/")"#),
        ("copy a b", #"(copy "a" "b")"#),
        ("ADD --checksum=sha256:abc --keep-git-dir=true https://x/y.git /src", #"(add ["--checksum=sha256:abc" "--keep-git-dir=true"] "https://x/y.git" "/src")"#),
        ("ADD --unpack=false --link a.tar /x", #"(add ["--unpack=false" "--link"] "a.tar" "/x")"#),
        ("RUN --mount=type=cache,target=/root/.cache go build", #"(run ["--mount=type=cache,target=/root/.cache"] "go build")"#),
        (#"RUN --network=none --security=insecure ["sh","-c","x"]"#, #"(run ["--network=none" "--security=insecure"] "sh" "-c" "x")"#),
        ("RUN echo $HOME && ls", #"(run "echo $HOME && ls")"#),
        (#"CMD ["a", "b"]"#, #"(cmd "a" "b")"#),
        ("CMD a b", #"(cmd "a b")"#),
        ("CMD ['a']", #"(cmd "['a']")"#),
        (#"CMD ["a"] trailing"#, #"(cmd "a")"#),
        (#"CMD ["a", "b""#, #"(cmd "[\"a\", \"b\"")"#),
        ("CMD []", "(cmd)"),
        (#"ENTRYPOINT ["/bin/app", "--flag"]"#, #"(entrypoint "/bin/app" "--flag")"#),
        (#"SHELL ["/bin/bash", "-c"]"#, #"(shell "/bin/bash" "-c")"#),
        ("EXPOSE 80 443/tcp 8000-8010/udp", #"(expose "80" "443/tcp" "8000-8010/udp")"#),
        (#"VOLUME ["/data", "/logs"]"#, #"(volume "/data" "/logs")"#),
        ("VOLUME /a /b", #"(volume "/a" "/b")"#),
        ("STOPSIGNAL SIGKILL", #"(stopsignal "SIGKILL")"#),
        ("HEALTHCHECK NONE", #"(healthcheck "NONE")"#),
        ("HEALTHCHECK --interval=5s CMD curl -f http://x/", #"(healthcheck ["--interval=5s"] "CMD" "curl -f http://x/")"#),
        (#"HEALTHCHECK CMD ["a", "b"]"#, #"(healthcheck "CMD" "a" "b")"#),
        ("ONBUILD COPY . /app", #"(onbuild (copy "." "/app"))"#),
        (#"ONBUILD RUN ["a"]"#, #"(onbuild (run "a"))"#),
        ("MAINTAINER Jane <j@x>", #"(maintainer "Jane <j@x>")"#),
        ("USER app:staff", #"(user "app:staff")"#),
        ("WORKDIR /a b", #"(workdir "/a b")"#),
        ("ARG A=1 B", #"(arg "A=1" "B")"#),
        (#"ENV A=1 B="x y""#, #"(env "A" "1" "=" "B" "\"x y\"" "=")"#),
        ("LABEL a=b", #"(label "a" "b" "=")"#),
        ("ENV A b c", #"(env "A" "b c" "")"#),
        ("FOO bar", #"(foo "")"#),
        ("RUN a \\\n  b", #"(run "a   b")"#),
        ("RUN a \\\n# a comment\n b", #"(run "a  b")"#),
        ("RUN a \\\n\n b", #"(run "a  b")"#),
        ("RUN a \\  \nb", #"(run "a b")"#),
        ("# escape=`\nRUN a `\n b", #"(run "a  b")"#),
        ("# escape=`\nCOPY C:\\src C:\\dst", #"(copy "C:\\src" "C:\\dst")"#),
        ("ENV A=b\\\\\nENV C=d", "(env \"A\" \"b\\\\\\\\\" \"=\")\n(env \"C\" \"d\" \"=\")"),
        ("RUN <<EOF\necho hi\nEOF", #"(run "<<EOF")"#),
        ("\u{FEFF}FROM a", #"(from "a")"#),
        ("FROM a\r\nRUN b\r\n", "(from \"a\")\n(run \"b\")"),
        ("RUN echo \\", #"(run "echo")"#),
        ("  # comment\n\n   FROM a  ", #"(from "a")"#),
    ]

    @Test(arguments: cases)
    func dumpsAsBuildKitDoes(input: String, expected: String) throws {
        #expect(try SyntaxParser.parse(input).dump() == expected + "\n")
    }

    @Test func directivesAreReadOnlyAtTheTop() throws {
        let tree = try SyntaxParser.parse("# syntax=docker/dockerfile:1\n# check=skip=all\n# escape=`\nFROM a\n# escape=\\\n")
        #expect(tree.directives == ["syntax": "docker/dockerfile:1", "check": "skip=all", "escape": "`"])
        #expect(tree.escape == "`")
        let late = try SyntaxParser.parse("FROM a\n# escape=`\n")
        #expect(late.escape == "\\" && late.directives.isEmpty)
        let afterComment = try SyntaxParser.parse("# hello\n# escape=`\nFROM a\n")
        #expect(afterComment.escape == "\\", "a plain comment ends the directives")
    }

    @Test func lineNumbersSpanContinuationsAndHeredocs() throws {
        let tree = try SyntaxParser.parse("FROM a\n\nRUN a \\\n  b\nCOPY <<EOF /x\nbody\nEOF\nCMD c\n")
        #expect(tree.nodes.map { [$0.startLine, $0.endLine] } == [[1, 1], [3, 4], [5, 7], [8, 8]])
        #expect(tree.nodes[3].column == 1)
        let indented = try SyntaxParser.parse("   FROM a\n")
        #expect(indented.nodes[0].column == 4)
    }

    @Test func emptyContinuationLinesWarn() throws {
        let tree = try SyntaxParser.parse("FROM a\nRUN a \\\n\n b\n")
        #expect(tree.warnings.count == 1)
        // BuildKit 0.25's rule and words, on the instruction's last line.
        #expect(tree.warnings[0].description == "Dockerfile:4: NoEmptyContinuation: Empty continuation line")
    }
}
