mkdir -p usr && ln -s /realdir usr/libdir && ln -s ../realdir usr/relative
