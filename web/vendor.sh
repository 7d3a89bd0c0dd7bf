#!/bin/sh
# How the vendored front-end files were taken from the npm registry (run by hand to upgrade; never by
# make run or make test, which use the committed files). Check the printed sums against web/VENDOR.md.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
(cd "$tmp" && npm pack --silent echarts@6.1.0 axe-core@4.14.1 >/dev/null && tar xzf echarts-6.1.0.tgz && mkdir axe && tar xzf axe-core-4.14.1.tgz -C axe)
cp "$tmp/package/dist/echarts.min.js" web/static/vendor/echarts-6.1.0.min.js
cp "$tmp/package/LICENSE" web/static/vendor/LICENSE-echarts.txt
cp "$tmp/package/NOTICE" web/static/vendor/NOTICE-echarts.txt
cp "$tmp/axe/package/axe.min.js" tests/web/vendor/axe-core-4.14.1.min.js
cp "$tmp/axe/package/LICENSE" tests/web/vendor/LICENSE-axe-core.txt
rm -rf "$tmp"
sha256sum web/static/vendor/echarts-6.1.0.min.js tests/web/vendor/axe-core-4.14.1.min.js
