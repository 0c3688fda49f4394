python3 - <<'PY'
import io, tarfile
out = tarfile.open("implied.tar", "w", format=tarfile.PAX_FORMAT)
def add(name, data):
    info = tarfile.TarInfo(name)
    info.mode, info.mtime, info.size, info.uid, info.gid = 0o640, 1700000000, len(data), 7, 8
    out.addfile(info, io.BytesIO(data))
add("tmp/in-existing-tmp.txt", b"tmp keeps 1777\n")
add("etc/newdir/deeper/file.txt", b"parents made 0755\n")
add("bin/in-existing-bin.txt", b"bin keeps its mode\n")
out.close()
PY
