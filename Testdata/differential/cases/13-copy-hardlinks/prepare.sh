ln dir/first.txt dir/second.txt
mkdir -p dir/nested && ln dir/first.txt dir/nested/third.txt
