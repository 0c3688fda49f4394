set -e
busybox mkdir -p /out/bin /out/share/templates
printf '#!/bin/sh\necho server\n' > /out/bin/shape-server
printf '#!/bin/sh\necho cli\n' > /out/bin/shape-cli
busybox chmod 755 /out/bin/shape-server /out/bin/shape-cli
echo '<h1>{{.}}</h1>' > /out/share/templates/page.tmpl
