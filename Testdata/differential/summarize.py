#!/usr/bin/env python3
"""Summarises an image in an OCI layout as JSON: its merged file tree and its config.

    summarize.py LAYOUT [--alias FILE=NAME ...] [--replace TEXT=NAME ...]

The differential suite runs this on what BuildKit built (regenerate.sh, into golden/) and on what
Hoist built (the Swift test), and compares the two. It is written independently of Hoist's own
layer reader on purpose: a bug shared by the reader and the judge would hide itself.

Layers are applied as a runtime applies them (image-spec layer.md): whiteouts and opaque markers
remove what lower layers held, a missing parent is created as a 0755 root directory. Each entry
records path, type, mode (with setuid/setgid/sticky), uid, gid, size, sha256, link target, the
first path of a hard-link group and xattrs. Modification times are left out: they differ between
any two builds that do not fix SOURCE_DATE_EPOCH.

--layer-order adds, for each layer, the names of its entries in the order its tar lists them
(the cases with a `layer-order` file): the order decides a layer's digest, so it must be BuildKit's.

--alias replaces the content hash of files equal to FILE by NAME, so a golden result does not
depend on the exact version of a host binary the fixtures copy in (busybox-static). --replace
rewrites TEXT in history entries (the port of the loopback HTTP server a case downloads from).
"""
import hashlib, io, json, os, subprocess, sys, tarfile

def blob(layout, digest):
    algo, hexd = digest.split(":", 1)
    return os.path.join(layout, "blobs", algo, hexd)

def load(layout, digest):
    with open(blob(layout, digest), "rb") as f:
        return json.load(f)

def open_layer(path):
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic == b"\x28\xb5\x2f\xfd":  # zstd: tarfile has no reader for it
        data = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
        return tarfile.open(fileobj=io.BytesIO(data), mode="r:")
    return tarfile.open(path, mode="r:*")

def clean(name):
    """A path relative to the root, with `..` clamped there (`../x` and `/x` are both `x`)."""
    parts = []
    for p in name.split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p not in ("", "."):
            parts.append(p)
    return "/".join(parts)

def contained(tree, name):
    """`name` with its parent directories resolved through the tree's symlinks, inside the root, as
    containerd's RootPath applies a layer: `escape/file` under `escape -> /tmp` is `tmp/file`."""
    pending = clean(name).split("/")
    last = pending.pop()
    resolved, hops = [], 0
    while pending:
        part = pending.pop(0)
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        e = tree.get("/".join(resolved + [part]))
        if e is not None and e["type"] == "symlink" and hops < 255:
            hops += 1
            target = e["target"]
            pending = [p for p in target.split("/") if p not in ("", ".")] + pending
            if target.startswith("/"):
                resolved = []
            continue
        resolved.append(part)
    return "/".join(resolved + [last])

def xattrs(member):
    out = {}
    for key, value in member.pax_headers.items():
        if key.startswith("SCHILY.xattr."):
            raw = value.encode("utf-8", "surrogateescape")
            out[key[len("SCHILY.xattr."):]] = raw.hex()
    return out

def apply(tree, path, aliases):
    tf = open_layer(path)
    added, removed, opaque = [], [], []
    for m in tf:
        name = clean(m.name)
        if not name:
            continue
        parent, base = os.path.split(name)
        if base == ".wh..wh..opq":
            opaque.append(parent)
            continue
        if base.startswith(".wh."):
            removed.append(os.path.join(parent, base[4:]))
            continue
        e = {"path": "/" + name, "mode": oct(m.mode & 0o7777), "uid": m.uid, "gid": m.gid}
        if m.isreg():
            data = tf.extractfile(m).read()
            digest = hashlib.sha256(data).hexdigest()
            e.update(type="file", size=len(data), sha256=aliases.get(digest, digest))
        elif m.isdir():
            e["type"] = "dir"
        elif m.issym():
            e.update(type="symlink", target=m.linkname)
        elif m.islnk():
            e.update(type="hardlink", target="/" + clean(m.linkname))
        elif m.ischr() or m.isblk():
            e.update(type="char" if m.ischr() else "block", dev=[m.devmajor, m.devminor])
        elif m.isfifo():
            e["type"] = "fifo"
        x = xattrs(m)
        if x:
            e["xattrs"] = x
        added.append((name, e))
    # Whiteouts and opaque markers hide lower layers only, never entries of their own layer.
    for p in removed:
        drop(tree, contained(tree, p), keep_self=False)
    for p in opaque:
        drop(tree, contained(tree, p) if p else p, keep_self=True)
    for name, e in added:
        name = contained(tree, name)
        e["path"] = "/" + name
        ensure_parents(tree, name)
        old = tree.get(name)
        if old and old["type"] == "dir" and e["type"] != "dir":
            drop(tree, name, keep_self=False)
        if e["type"] == "hardlink":
            e["target"] = "/" + contained(tree, e["target"])
            target = tree.get(clean(e["target"]))
            if target is not None:
                # A hard link is its target's bytes under a second name; report both.
                e.update({k: target[k] for k in ("size", "sha256") if k in target})
                e["mode"], e["uid"], e["gid"] = target["mode"], target["uid"], target["gid"]
        tree[name] = e

def drop(tree, path, keep_self):
    path = clean(path)
    for key in [k for k in tree if k == path or k.startswith(path + "/") or path == ""]:
        if keep_self and key == path:
            continue
        del tree[key]

def ensure_parents(tree, name):
    parts = name.split("/")[:-1]
    for i in range(1, len(parts) + 1):
        p = "/".join(parts[:i])
        if p not in tree:
            tree[p] = {"path": "/" + p, "type": "dir", "mode": "0o755", "uid": 0, "gid": 0, "implicit": True}

CONFIG_KEYS = ["Env", "Cmd", "Entrypoint", "WorkingDir", "User", "ExposedPorts", "Volumes", "Labels",
               "StopSignal", "Healthcheck", "OnBuild", "Shell"]

def summarize_manifest(layout, manifest):
    config = load(layout, manifest["config"]["digest"])
    tree = {}
    for layer in manifest["layers"]:
        apply(tree, blob(layout, layer["digest"]), ALIASES)
    c = config.get("config") or {}
    order = {}
    if LAYER_ORDER:
        order["layer_order"] = []
        for layer in manifest["layers"]:
            with open_layer(blob(layout, layer["digest"])) as t:
                order["layer_order"].append([clean(m.name) for m in t.getmembers()])
    return {**order,
        "platform": f'{config.get("os")}/{config.get("architecture")}',
        "config": {k: c.get(k) for k in CONFIG_KEYS if c.get(k) not in (None, [], {}, "")},
        "history": [{"created_by": replaced(h.get("created_by", "")), "empty_layer": bool(h.get("empty_layer", False))}
                    for h in config.get("history", [])],
        "tree": [tree[k] for k in sorted(tree)],
    }

REPLACEMENTS = {}

def replaced(text):
    for old, new in REPLACEMENTS.items():
        text = text.replace(old, new)
    return text

def main(argv):
    global ALIASES, LAYER_ORDER
    layout = argv[0]
    ALIASES = {}
    LAYER_ORDER = "--layer-order" in argv
    for i, a in enumerate(argv):
        if a == "--replace":
            old, new = argv[i + 1].split("=", 1)
            REPLACEMENTS[old] = new
        if a == "--alias":
            file, name = argv[i + 1].split("=", 1)
            with open(file, "rb") as f:
                ALIASES[hashlib.sha256(f.read()).hexdigest()] = name
    index = json.load(open(os.path.join(layout, "index.json")))
    top = index["manifests"][0]
    doc = load(layout, top["digest"])
    if "manifests" in doc:  # an index: summarise every platform
        out = {"platforms": [summarize_manifest(layout, load(layout, m["digest"])) for m in doc["manifests"]
                             if (m.get("platform") or {}).get("architecture") != "unknown"]}
    else:
        out = summarize_manifest(layout, doc)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")

if __name__ == "__main__":
    main(sys.argv[1:])
