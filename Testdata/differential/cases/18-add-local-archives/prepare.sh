mkdir -p src/sub && echo one > src/one.txt && echo two > src/sub/two.txt && chmod 0750 src/sub && ln -s one.txt src/link
tar --owner=7 --group=8 --numeric-owner -C src -cf plain.tar .
gzip -kn9 -c plain.tar > archive.tar.gz
bzip2 -kc plain.tar > archive.tar.bz2
xz -kc plain.tar > archive.tar.xz
zstd -qc plain.tar > archive.tar.zst
echo "compressed but no tar" | gzip -n > notatar.txt.gz
rm -rf src
