mkdir -p src && echo inside > src/inside.txt && touch -d @1700000000 src src/inside.txt
tar --owner=0 --group=0 --numeric-owner --mtime=@1700000000 -C src -cf - . | gzip -n > remote.tar.gz && cp remote.tar.gz local.tar.gz && rm -rf src
