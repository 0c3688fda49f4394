python3 - <<'PY'
import io, tarfile
out = tarfile.open("hostile.tar", "w", format=tarfile.PAX_FORMAT)
def add(name, kind=tarfile.REGTYPE, data=b"", link="", mode=0o644):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode, info.mtime, info.size = kind, link, mode, 1700000000, len(data)
    out.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
add("inside", tarfile.DIRTYPE, mode=0o755)
add("inside/escape", tarfile.SYMTYPE, link="/etc", mode=0o777)
add("inside/escape/through-absolute.txt", data=b"absolute link\n")
add("inside/up", tarfile.SYMTYPE, link="..", mode=0o777)
add("inside/up/through-relative.txt", data=b"relative link within the destination\n")
add("/absolute.txt", data=b"absolute name\n")
out.close()
PY
