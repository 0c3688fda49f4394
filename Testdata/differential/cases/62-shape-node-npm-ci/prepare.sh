# What a developer's checkout holds besides the sources: none of it may reach the image.
mkdir -p node_modules/local-only .git/refs
echo '{"name":"local-only"}' > node_modules/local-only/package.json
echo 'ref: refs/heads/main' > .git/HEAD
echo 'npm ERR! something' > npm-debug.log
echo 'debug output' > src/debug.log
