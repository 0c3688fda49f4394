import Testing
@testable import HoistDockerfile

/// What each instruction means once parsed: flags, forms, heredocs, mounts, health checks.
struct InstructionTableTests {
    func only(_ line: String) throws -> Instruction {
        try Dockerfile(parsing: "FROM a\n" + line).instructions[1].instruction
    }

    static let cases: [(String, Instruction)] = {
        var linkedSpec = CopySpec(sources: ["src/", "b"], destination: "/app/", chown: "app", chmod: "u+x")
        linkedSpec.link = true
        linkedSpec.excludes = ["*.md", "tmp"]
        var copyLinked = CopyInstruction(linkedSpec, from: "builder")
        copyLinked.parents = true
        var addSpec = CopySpec(sources: ["https://example.com/a.tar.gz"], destination: "/x/", chown: "1:2", chmod: "640")
        addSpec.link = true
        addSpec.excludes = ["x"]
        var cache = MountSpec()
        cache.type = .cache; cache.target = "/root/.cache"; cache.id = "go"; cache.sharing = .locked; cache.mode = 0o755; cache.uid = 1000
        var bind = MountSpec()
        bind.target = "/src"; bind.from = "builder"; bind.source = "/out"; bind.readOnly = false
        var tmpfs = MountSpec()
        tmpfs.type = .tmpfs; tmpfs.target = "/tmp"; tmpfs.size = 1048576
        var secret = MountSpec()
        secret.type = .secret; secret.id = "token"; secret.env = "TOKEN"; secret.required = true
        var ssh = MountSpec()
        ssh.type = .ssh
        var health = HealthcheckOptions()
        health.interval = 30_000_000_000; health.timeout = 1_500_000_000; health.startPeriod = 60_000_000_000
        health.startInterval = 5_000_000; health.retries = 3
        return [
            ("FROM --platform=$BUILDPLATFORM golang:1.22 AS Build", .from(FromInstruction(image: "golang:1.22", platform: "$BUILDPLATFORM", stageName: "Build"))),
            ("ARG A=1 B C=", .arg([ArgDeclaration(name: "A", defaultValue: "1"), ArgDeclaration(name: "B", defaultValue: nil), ArgDeclaration(name: "C", defaultValue: "")])),
            (#"ARG Q="a b""#, .arg([ArgDeclaration(name: "Q", defaultValue: #""a b""#)])),
            (#"ENV A=1 B="x y""#, .env([KeyValue(key: "A", value: "1"), KeyValue(key: "B", value: #""x y""#)])),
            ("ENV PATH /usr/bin:/bin", .env([KeyValue(key: "PATH", value: "/usr/bin:/bin")])),
            ("LABEL org.opencontainers.image.title=demo", .label([KeyValue(key: "org.opencontainers.image.title", value: "demo")])),
            ("MAINTAINER Jane", .maintainer("Jane")),
            ("WORKDIR $HOME/app", .workdir("$HOME/app")),
            ("USER 1000:1000", .user("1000:1000")),
            ("EXPOSE 80/udp 9000-9010", .expose(["80/udp", "9000-9010"])),
            (#"VOLUME ["/var/lib/data"]"#, .volume(["/var/lib/data"])),
            ("STOPSIGNAL 9", .stopSignal("9")),
            (#"SHELL ["pwsh", "-Command"]"#, .shell(["pwsh", "-Command"])),
            ("HEALTHCHECK NONE", .healthcheck(.none)),
            ("HEALTHCHECK --interval=30s --timeout=1.5s --start-period=1m --start-interval=5ms --retries=3 CMD curl -f localhost",
             .healthcheck(.check(test: ["CMD-SHELL", "curl -f localhost"], options: health))),
            (#"HEALTHCHECK CMD ["/bin/check", "-q"]"#, .healthcheck(.check(test: ["CMD", "/bin/check", "-q"], options: HealthcheckOptions()))),
            (#"CMD ["cat", "/app.txt"]"#, .cmd(.exec(["cat", "/app.txt"]))),
            ("CMD cat /app.txt", .cmd(.shell("cat /app.txt"))),
            ("ENTRYPOINT exec app", .entrypoint(.shell("exec app"))),
            ("COPY --from=builder --chown=app --chmod=u+x --link --parents --exclude=*.md --exclude=tmp src/ b /app/", .copy(copyLinked)),
            ("ADD --chown=1:2 --chmod=640 --link --exclude=x --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d --keep-git-dir --unpack=true https://example.com/a.tar.gz /x/",
             .add(AddInstruction(addSpec, checksum: "sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d", keepGitDir: true, unpack: true))),
            ("RUN --mount=type=cache,target=/root/.cache,id=go,sharing=locked,mode=0755,uid=1000 go build",
             .run(RunInstruction(command: .shell("go build"), mounts: [cache]))),
            ("RUN --mount=from=builder,source=/out,target=/src,rw make", .run(RunInstruction(command: .shell("make"), mounts: [bind]))),
            ("RUN --mount=type=tmpfs,target=/tmp,size=1048576 true", .run(RunInstruction(command: .shell("true"), mounts: [tmpfs]))),
            ("RUN --mount=type=secret,id=token,env=TOKEN,required --network=none ./deploy",
             .run(RunInstruction(command: .shell("./deploy"), mounts: [secret], network: "none"))),
            ("RUN --mount=type=ssh --security=insecure git clone x", .run(RunInstruction(command: .shell("git clone x"), mounts: [ssh], security: "insecure"))),
            (#"RUN ["echo", "hi"]"#, .run(RunInstruction(command: .exec(["echo", "hi"])))),
            ("ONBUILD COPY . /app", .onbuild(OnBuildTrigger(expression: "COPY . /app", instruction: .copy(CopyInstruction(CopySpec(sources: ["."], destination: "/app")))))),
        ]
    }()

    @Test(arguments: cases)
    func meansWhatBuildKitMeans(line: String, expected: Instruction) throws {
        #expect(try only(line) == expected)
    }

    @Test(arguments: [
        ("RUN <<EOF\necho one\necho two\nEOF\n", [Heredoc(name: "EOF", fileDescriptor: 0, expand: true, chomp: false, content: "echo one\necho two\n")]),
        ("RUN <<-EOT\n\techo tab\n\tEOT\n", [Heredoc(name: "EOT", fileDescriptor: 0, expand: true, chomp: true, content: "\techo tab\n")]),
        ("RUN <<'EOF'\necho $HOME\nEOF\n", [Heredoc(name: "EOF", fileDescriptor: 0, expand: false, chomp: false, content: "echo $HOME\n")]),
        ("RUN <<\"EOF\" cat\nx\nEOF\n", [Heredoc(name: "EOF", fileDescriptor: 0, expand: false, chomp: false, content: "x\n")]),
        ("RUN cat <<A <<B\na\nA\nb\nB\n", [Heredoc(name: "A", fileDescriptor: 0, expand: true, chomp: false, content: "a\n"),
                                           Heredoc(name: "B", fileDescriptor: 0, expand: true, chomp: false, content: "b\n")]),
        ("RUN 3<<EOF cat /dev/fd/3\nthree\nEOF\n", [Heredoc(name: "EOF", fileDescriptor: 3, expand: true, chomp: false, content: "three\n")]),
        ("COPY <<EOF /etc/app.conf\nkey=$VALUE\nEOF\n", [Heredoc(name: "EOF", fileDescriptor: 0, expand: true, chomp: false, content: "key=$VALUE\n")]),
        ("ADD <<one <<two /dest/\n1\none\n2\ntwo\n", [Heredoc(name: "one", fileDescriptor: 0, expand: true, chomp: false, content: "1\n"),
                                                     Heredoc(name: "two", fileDescriptor: 0, expand: true, chomp: false, content: "2\n")]),
        ("RUN [\"echo\", \"<<EOF\"]\n", []),
        ("RUN echo '<<EOF'\n", []),
    ])
    func heredocsAreReadLikeBuildKit(text: String, expected: [Heredoc]) throws {
        let node = try SyntaxParser.parse("FROM a\n" + text).nodes[1]
        #expect(node.heredocs == expected)
    }

    /// BuildKit's ExpandRaw: quotes are plain characters, a backslash keeps only the next character.
    static let heredocExpansions: [(String, String)] = [
        (#"printf "a\tb\n" \\ end"#, #"printf "atbn" \ end"#),
        (#"\$PATH and $A"#, "$PATH and 1"),
        (#"'$A' "$A" ${A}x ${UNSET:-d}"#, #"'1' "1" 1x d"#),
        ("line \\\nnext", "line \nnext"),
        ("trailing \\", "trailing "),
    ]

    @Test(arguments: heredocExpansions)
    func unquotedHeredocBodiesExpandByBuildKitsWordRules(body: String, expected: String) throws {
        #expect(try ShellWords.expandHeredoc(body, ["A": "1"]) == expected)
        let heredoc = Heredoc(name: "EOF", fileDescriptor: 0, expand: true, chomp: false, content: body)
        #expect(try heredoc.body(environment: ["A": "1"]) == expected)
        let quoted = Heredoc(name: "EOF", fileDescriptor: 0, expand: false, chomp: false, content: body)
        #expect(try quoted.body(environment: ["A": "1"]) == body, "a quoted delimiter leaves the body alone")
    }

    /// The loop expands exactly the words an instruction declares, once, as BuildKit's Expand does.
    @Test func eachInstructionExpandsOnlyTheWordsItDeclares() throws {
        let words = ShellWords(escape: "\\")
        func expanded(_ line: String) throws -> Instruction {
            try Dockerfile(parsing: "FROM a\n" + line).instructions[1].instruction.expandingWords { try words.expand($0, ["A": "x"]) }
        }
        #expect(try expanded("ENV $A=$A") == .env([KeyValue(key: "x", value: "x")]))
        #expect(try expanded("WORKDIR /$A") == .workdir("/x"))
        #expect(try expanded("RUN echo $A") == .run(RunInstruction(command: .shell("echo $A"))))
        #expect(try expanded("CMD echo $A") == .cmd(.shell("echo $A")))
        #expect(try expanded("ARG B=$A") == .arg([ArgDeclaration(name: "B", defaultValue: "$A")]), "ARG expands when it is declared")
        guard case let .copy(copy) = try expanded("COPY --chown=$A --chmod=7$A --exclude=$A.md <<EOF $A.txt /$A/\nbody $A\nEOF") else {
            Issue.record("not a COPY"); return
        }
        #expect(copy.spec.sources == ["<<EOF", "x.txt"] && copy.spec.destination == "/x/")
        #expect(copy.spec.chown == "x" && copy.spec.chmod == "7x" && copy.spec.excludes == ["x.md"])
        #expect(copy.spec.heredocs[0].content == "body $A\n", "heredoc bodies keep rules of their own")
        guard case let .run(run) = try expanded("RUN --mount=type=cache,target=/c/$A,id=$A-id --mount=type=secret,id=s,env=$A echo $A") else {
            Issue.record("not a RUN"); return
        }
        #expect(run.mounts.map(\.target) == ["/c/x", nil] && run.mounts.map(\.id) == ["x-id", "s"] && run.mounts[1].env == "x")
        #expect(run.command == .shell("echo $A"))
    }

    @Test func heredocBodyExpandsUnlessQuoted() throws {
        let open = Heredoc(name: "EOF", fileDescriptor: 0, expand: true, chomp: true, content: "\tA=$A \"q\" \\$B\n")
        #expect(try open.body(environment: ["A": "1"]) == "A=1 \"q\" $B\n")
        let quoted = Heredoc(name: "EOF", fileDescriptor: 0, expand: false, chomp: false, content: "A=$A\n")
        #expect(try quoted.body(environment: ["A": "1"]) == "A=$A\n")
    }

    @Test(arguments: [
        ("u+x", 0o644 as UInt32, false, 0o744 as UInt32), ("go=r", 0o755, false, 0o744), ("a-w", 0o666, false, 0o444),
        ("u=rwx,g=rx,o=", 0o000, false, 0o750), ("+X", 0o644, true, 0o755), ("+X", 0o644, false, 0o644),
        ("u+s", 0o755, false, 0o4755), ("+t", 0o777, true, 0o1777),
    ])
    func symbolicChmodAppliesLikeChmod(spec: String, before: UInt32, isDirectory: Bool, after: UInt32) throws {
        let mode = try #require(SymbolicMode.parse(spec))
        #expect(mode.apply(to: before, isDirectory: isDirectory) == after)
    }
}
