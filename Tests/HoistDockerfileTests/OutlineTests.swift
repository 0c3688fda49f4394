import HoistDockerfile
import Testing

/// `BuildOutline` and `TargetList`: what `--call=outline` and `--call=targets` list, as BuildKit 0.25
/// computes it (dockerfile2llb/outline.go, ListTargets).
@Suite struct OutlineTests {
    let text = """
        # BASE the image
        ARG BASE=busybox
        ARG REGISTRY=docker.io
        ARG IMAGE=$REGISTRY/library/alpine
        ARG UNUSED=x
        # tools has the tools
        FROM $IMAGE AS tools
        RUN --mount=type=secret,id=aws,required=true --mount=type=ssh true
        # app is what ships
        FROM ${BASE} AS app
        # PORT where it listens
        ARG PORT=8080
        ARG BASE
        RUN --mount=type=bind,from=tools,target=/t --mount=type=secret,target=/run/secrets/npmrc --mount=type=ssh,id=git true

        """

    @Test func listsTheArgsTheTargetAndItsStagesUseWithTheirComments() throws {
        let outline = try BuildOutline(try Dockerfile(parsing: text))
        #expect(outline.name == "app")
        #expect(outline.description == "is what ships")
        #expect(outline.args.map(\.name) == ["BASE", "REGISTRY", "IMAGE", "PORT"], "UNUSED is used by no stage; REGISTRY through IMAGE")
        #expect(outline.args.map(\.value) == ["busybox", "docker.io", "docker.io/library/alpine", "8080"])
        #expect(outline.args.map(\.description) == ["the image", nil, nil, "where it listens"])
        #expect(outline.args[0].location == SourceRange(start: 2, end: 2), "a bare ARG BASE shows the global one")
        #expect(outline.secrets.map(\.name) == ["aws", "npmrc"])
        #expect(outline.secrets.map(\.required) == [true, false])
        #expect(outline.ssh.map(\.name) == ["default", "git"])
    }

    @Test func aTargetOnlyListsWhatItNeedsAndBuildArgsSetValues() throws {
        let outline = try BuildOutline(try Dockerfile(parsing: text), target: "tools", buildArgs: ["REGISTRY": "example.com"])
        #expect(outline.name == "tools")
        #expect(outline.description == "has the tools")
        #expect(outline.args.map(\.name) == ["REGISTRY", "IMAGE"])
        #expect(outline.args.map(\.value) == ["example.com", "example.com/library/alpine"])
        #expect(outline.secrets.map(\.name) == ["aws"])
    }

    @Test func anUnknownTargetIsRefusedWithTheNames() throws {
        #expect(throws: BuildGraphError.self) { try BuildOutline(try Dockerfile(parsing: text), target: "apps") }
    }

    @Test func targetsAreEveryStageAsWrittenTheLastOneTheDefault() throws {
        let list = TargetList(try Dockerfile(parsing: text + "FROM --platform=$BUILDPLATFORM app\n"))
        #expect(list.targets.map(\.name) == ["tools", "app", nil])
        #expect(list.targets.map(\.description) == ["has the tools", "is what ships", nil])
        #expect(list.targets.map(\.base) == ["$IMAGE", "${BASE}", "app"])
        #expect(list.targets.map(\.isDefault) == [false, false, true])
        #expect(list.targets[2].platform == "$BUILDPLATFORM")
    }

    @Test func aCommentIsADescriptionOnlyWhenItStartsWithTheName() throws {
        let list = TargetList(try Dockerfile(parsing: "# Builder builds\nFROM a AS Builder\n#\n# x y\nFROM a AS x\n# z\n\nFROM a AS y\n"))
        #expect(list.targets.map(\.description) == [nil, "y", nil], "the lowercased name, case-sensitively; an empty # clears")
        let kept = TargetList(try Dockerfile(parsing: "# y is kept across a blank line\n\nFROM a AS y\n"))
        #expect(kept.targets[0].description == "is kept across a blank line")
    }
}
