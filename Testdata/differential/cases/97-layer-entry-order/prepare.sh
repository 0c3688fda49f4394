# Names whose order differs between the bytes of whole paths and a depth-first walk: a directory
# and its siblings that extend its name with a byte below '/' (- . space), above it (0 _ ~), an
# upper-case one, and a UTF-8 one.
mkdir -p tree/a/sub tree/ab tree/a.d
for f in tree/a/b tree/a/.hidden tree/a/Z tree/a/sub/x tree/a-b tree/a.txt tree/a0 tree/A "tree/a b" tree/a+c tree/_u tree/~t tree/é tree/ab/x tree/a.d/y; do
  echo "$f" > "$f"
done
