import HoistDockerfile
import HoistOCI

/// How progress names a stage's steps, as BuildKit's `prefixCommand` does
/// (frontend/dockerfile/dockerfile2llb/convert.go): `[linux/arm64 builder 2/4] RUN make`. The
/// platform comes first in a multi-platform build; an unnamed stage is `stage-N` (its index),
/// and a Dockerfile of one stage gives no name at all: `[2/4]`. Steps are FROM of an image, then
/// each ADD, COPY, RUN and WORKDIR (ONBUILD triggers included); other instructions are not shown.
struct StageLabel: Sendable {
    /// What goes before `i/n]`: `linux/arm64 builder `, or empty.
    let prefix: String

    init(stage: Stage, stageCount: Int, platform: Platform?) {
        var prefix = StageLabel.platformPrefix(platform)
        if stageCount > 1 { prefix += (stage.name ?? "stage-\(stage.index)") + " " }
        self.prefix = prefix
    }

    /// `[prefix i/n] text`, `i` padded to the width of `n`.
    func step(_ i: Int, of total: Int, _ text: String) -> String {
        let number = String(i)
        let width = String(total).count
        return "[" + prefix + String(repeating: " ", count: max(0, width - number.count)) + number + "/\(total)] " + text
    }

    /// A vertex of the build's own, not a stage's: `[internal] text`, `[linux/arm64 internal] text`
    /// in a multi-platform build.
    static func `internal`(_ text: String, platform: Platform?) -> String {
        "[" + platformPrefix(platform) + "internal] " + text
    }

    private static func platformPrefix(_ platform: Platform?) -> String {
        platform.map { "\($0.normalized) " } ?? ""
    }

    /// Whether a step counts for progress (gets a vertex): BuildKit's cmdTotal.
    static func counts(_ instruction: Instruction) -> Bool {
        switch instruction {
        case .copy, .add, .run, .workdir: true
        default: false
        }
    }
}
