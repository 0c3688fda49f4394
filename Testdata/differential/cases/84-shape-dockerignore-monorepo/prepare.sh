# A working tree as developers have it: none of this may reach the build.
mkdir -p .git/objects .vscode packages/web/node_modules/react packages/api/dist packages/web/coverage
echo 'ref: refs/heads/main' > .git/HEAD
echo '{}' > .vscode/settings.json
echo 'node_modules/' > .gitignore
echo '{"name":"react"}' > packages/web/node_modules/react/package.json
echo 'built' > packages/api/dist/index.js
echo 'lcov' > packages/web/coverage/lcov.info
echo 'SECRET=local' > .env
echo 'SECRET=prod' > .env.production
echo 'npm ERR!' > npm-debug.log
echo 'api log' > packages/api/server.log
