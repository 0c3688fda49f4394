chmod 0644 a.sh dir/f.txt dir/sub/g.txt; chmod 0750 dir
