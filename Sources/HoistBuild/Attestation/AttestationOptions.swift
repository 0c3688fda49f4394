/// Which attestations a build attaches to its images, read from buildx's flags: `--provenance`,
/// `--sbom` and `--attest type=…` (docs.docker.com/build/attestations). Provenance `mode=min` is
/// the default unless `BUILDX_NO_DEFAULT_ATTESTATIONS` is set, as in buildx.
public struct AttestationOptions: Sendable, Equatable {
    /// How much of the build the provenance tells: `min` its inputs, `max` also each stage's steps and layers.
    public enum ProvenanceMode: String, Sendable, Equatable {
        case min, max
    }

    /// SLSA provenance, or nil for none.
    public var provenance: ProvenanceMode?
    /// An SPDX SBOM of the final image's files.
    public var sbom = false
    /// `generator=IMAGE` as given: Hoist reads package databases itself, so it is only noted.
    public var sbomGenerator: String?
    /// Attach them as OCI 1.1 referrers (`subject`, `artifactType`) instead of inside the image
    /// index as buildx does (`referrers=true` in any of the flags).
    public var asReferrers = false
    /// `builder-id=URI`: provenance's `runDetails.builder.id` (default: the CI run's URL on GitHub
    /// Actions, as buildx sets it, else `urn:hoist:builder`).
    public var builderID: String?
    /// Whether a flag asked for them, rather than buildx's default alone: only then does a build
    /// say where they cannot go.
    public var asked = false

    public init(provenance: ProvenanceMode? = nil, sbom: Bool = false) {
        self.provenance = provenance
        self.sbom = sbom
        asked = provenance != nil || sbom
    }

    /// Whether there is anything to attach.
    public var isEmpty: Bool { provenance == nil && !sbom }

    /// buildx's reading of the flags: `--provenance` is `true|false|mode=min|max[,…]`, `--sbom` is
    /// `true|false|generator=IMAGE[,…]`, each `--attest` is `type=provenance|sbom[,mode=…][,disabled=true]`.
    /// A later flag for one type wins over an earlier one; `defaults` adds provenance `mode=min`
    /// when nothing turned it off. Throws `AttestationError.badFlag` naming the flag and value.
    public static func parse(provenance: String?, sbom: String?, attest: [String], defaults: Bool) throws -> AttestationOptions {
        var options = AttestationOptions()
        var provenanceSaid = false
        var items: [(flag: String, type: String, value: String)] = attest.map { text in
            ("--attest \(text)", BuildxAttributes.fields(text)["type"] ?? "", text)
        }
        if let provenance { items.append(("--provenance=\(provenance)", "provenance", provenance)) }
        if let sbom { items.append(("--sbom=\(sbom)", "sbom", sbom)) }
        for (flag, type, value) in items {
            var fields = BuildxAttributes.fields(value)
            if let on = BuildxAttributes.bool(value) {
                fields = on ? [:] : ["disabled": "true"]
            } else if value.split(separator: ",").contains(where: { !$0.contains("=") }) {
                throw AttestationError.badFlag(flag, "expected true, false or KEY=VALUE,…")
            }
            let disabled: Bool
            if let text = fields["disabled"] {
                guard let value = BuildxAttributes.bool(text) else { throw AttestationError.badFlag(flag, "disabled=\(text): expected true or false") }
                disabled = value
            } else {
                disabled = false
            }
            if let text = fields["referrers"] {
                guard let value = BuildxAttributes.bool(text) else { throw AttestationError.badFlag(flag, "referrers=\(text): expected true or false") }
                options.asReferrers = value
            }
            switch type {
            case "provenance":
                provenanceSaid = true
                if disabled { options.provenance = nil; continue }
                let mode = fields["mode"] ?? "min"
                guard let parsed = ProvenanceMode(rawValue: mode) else { throw AttestationError.badFlag(flag, "mode=\(mode): expected min or max") }
                if let version = fields["version"], version != "v1" {
                    throw AttestationError.badFlag(flag, "version=\(version): Hoist writes SLSA provenance v1 only")
                }
                options.provenance = parsed
                if let id = fields["builder-id"] { options.builderID = id }
            case "sbom":
                options.sbom = !disabled
                options.sbomGenerator = disabled ? nil : fields["generator"]
            case "":
                throw AttestationError.badFlag(flag, "type= is missing: expected type=provenance or type=sbom")
            default:
                throw AttestationError.badFlag(flag, "type=\(type): expected provenance or sbom")
            }
        }
        options.asked = !items.isEmpty
        if defaults, !provenanceSaid { options.provenance = .min }
        return options
    }
}

/// A bad attestation flag: which flag and value, and what was expected.
public enum AttestationError: Error, CustomStringConvertible {
    case badFlag(String, String)

    public var description: String {
        switch self {
        case let .badFlag(flag, reason): "\(flag): \(reason)"
        }
    }
}
