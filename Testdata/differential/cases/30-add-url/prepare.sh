head -c 4096 /dev/zero | tr '\0' 'h' > files/data.bin
mkdir -p src && echo inner > src/inner.txt
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C src -cf - . | gzip -n > files/archive.tar.gz
rm -rf src
