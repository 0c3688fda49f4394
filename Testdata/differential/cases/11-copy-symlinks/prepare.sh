ln -s real.txt links/to-file
ln -s /etc/passwd links/absolute
ln -s ../nowhere links/dangling
ln -s data tree/alias
