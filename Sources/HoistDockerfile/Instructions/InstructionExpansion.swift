/// Which words of an instruction a build expands before acting on it, as BuildKit's instructions
/// declare them (SupportsSingleWordExpansion): ENV and LABEL keys and values, WORKDIR, USER,
/// EXPOSE, VOLUME, STOPSIGNAL, COPY/ADD sources (not `<<NAME` markers), destination, `--chown`,
/// `--chmod`, `--exclude` and ADD's `--checksum`, and RUN `--mount`'s text values (target, source,
/// id, env; BuildKit's setMountState). Everything else is kept as written: ARG expands its default
/// when declared, RUN's command, CMD, ENTRYPOINT, SHELL and HEALTHCHECK reach the shell or the config
/// unexpanded, `--from` and `from=` never expand, and heredoc bodies have rules of their own. Numeric
/// mount options (uid, gid, mode, size) are parsed with the instruction, so they take no variables.
extension Instruction {
    /// The instruction with every word it declares expanded by `expand` (each word once, with the
    /// environment at the instruction's start). Rethrows what `expand` throws.
    public func expandingWords(_ expand: (String) throws -> String) throws -> Instruction {
        func pairs(_ list: [KeyValue]) throws -> [KeyValue] { try list.map { KeyValue(key: try expand($0.key), value: try expand($0.value)) } }
        switch self {
        case let .env(list): return .env(try pairs(list))
        case let .label(list): return .label(try pairs(list))
        case let .workdir(path): return .workdir(try expand(path))
        case let .user(user): return .user(try expand(user))
        case let .expose(ports): return .expose(try ports.map(expand))
        case let .volume(paths): return .volume(try paths.map(expand))
        case let .stopSignal(signal): return .stopSignal(try expand(signal))
        case var .copy(copy):
            copy.spec = try copy.spec.expandingWords(expand)
            return .copy(copy)
        case var .add(add):
            add.spec = try add.spec.expandingWords(expand)
            add.checksum = try add.checksum.map(expand)
            return .add(add)
        case var .run(run):
            run.mounts = try run.mounts.map { try $0.expandingWords(expand) }
            return .run(run)
        case .from, .arg, .maintainer, .shell, .healthcheck, .cmd, .entrypoint, .onbuild:
            return self
        }
    }
}

extension CopySpec {
    /// Sources that name one of the heredocs (`<<EOF`) are inline content: they stay as written.
    func expandingWords(_ expand: (String) throws -> String) throws -> CopySpec {
        var spec = self
        spec.sources = try sources.map { word in
            Heredoc.name(ofMarker: word).map { name in heredocs.contains { $0.name == name } } == true ? word : try expand(word)
        }
        spec.destination = try expand(destination)
        spec.chown = try chown.map(expand)
        spec.chmod = try chmod.map(expand)
        spec.excludes = try excludes.map(expand)
        return spec
    }
}

extension MountSpec {
    func expandingWords(_ expand: (String) throws -> String) throws -> MountSpec {
        var spec = self
        spec.target = try target.map(expand)
        spec.source = try source.map(expand)
        spec.id = try id.map(expand)
        spec.env = try env.map(expand)
        return spec
    }
}
