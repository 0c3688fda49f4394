#!/usr/bin/env python3
"""Fills DEST with about MB megabytes in FILES real files copied from this machine (/usr/share,
/usr/include, /usr/lib, then large files from /usr/lib and /opt/swift to make up the size), for
the layer-creation benchmark: real files compress like real projects, random bytes would not.

    make-context.py DEST [MB=300] [FILES=12000]
"""
import os, shutil, sys

dest = sys.argv[1]
want_bytes = int(sys.argv[2] if len(sys.argv) > 2 else 300) << 20
want_files = int(sys.argv[3] if len(sys.argv) > 3 else 12000)

def walk(roots, small):
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                size = os.path.getsize(path)
                if (size < 256 << 10) == small and size > 0:
                    yield path, size

copied, total = 0, 0
def copy(path, size):
    global copied, total
    target = os.path.join(dest, "f" + path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        shutil.copyfile(path, target)
    except OSError:
        return
    os.chmod(target, 0o644)
    copied += 1
    total += size

os.makedirs(dest, exist_ok=True)
for path, size in walk(["/usr/share", "/usr/include", "/usr/lib"], small=True):
    if copied >= want_files - 200:
        break
    copy(path, size)
for path, size in walk(["/usr/lib", "/opt/swift/usr/lib", "/opt/swift/usr/bin"], small=False):
    if total >= want_bytes or copied >= want_files:
        break
    if total + size > want_bytes + (8 << 20):
        continue
    copy(path, size)
print(f"{copied} files, {total / (1 << 20):.0f} MB in {dest}", file=sys.stderr)
