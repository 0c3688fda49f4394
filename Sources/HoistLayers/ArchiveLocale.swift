import Foundation

/// libarchive converts names between UTF-8 and the C library's locale. Under the default "C"
/// locale a non-ASCII name (`Főtanúsítvány.crt`) fails that conversion and the PAX writer
/// dereferences a NULL name. Layers always carry UTF-8 names, so the process uses C.UTF-8 for
/// character types before libarchive is first used.
enum ArchiveLocale {
    static let ensured: Void = {
        if setlocale(LC_CTYPE, "C.UTF-8") == nil { _ = setlocale(LC_CTYPE, "C.utf8") }
    }()
}
