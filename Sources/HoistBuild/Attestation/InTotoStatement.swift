import Foundation
import HoistOCI

/// An in-toto Statement v1 (github.com/in-toto/attestation, spec/v1/statement.md): what an
/// attestation layer holds. `subject` names the image manifest by digest; `predicate` is the
/// provenance or the SBOM document.
struct InTotoStatement<Predicate: Encodable>: Encodable {
    static var type: String { "https://in-toto.io/Statement/v1" }

    struct Subject: Encodable {
        var name: String
        var digest: [String: String]
    }

    var subject: [Subject]
    var predicateType: String
    var predicate: Predicate

    init(subject name: String, digest: Digest, predicateType: String, predicate: Predicate) {
        subject = [Subject(name: name, digest: [digest.algorithm: digest.encoded])]
        self.predicateType = predicateType
        self.predicate = predicate
    }

    enum CodingKeys: String, CodingKey {
        case type = "_type", subject, predicateType, predicate
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.type, forKey: .type)
        try container.encode(subject, forKey: .subject)
        try container.encode(predicateType, forKey: .predicateType)
        try container.encode(predicate, forKey: .predicate)
    }

    /// The statement as an attestation layer's bytes: keys sorted and slashes plain, so the same
    /// facts always give the same digest.
    func bytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }
}
