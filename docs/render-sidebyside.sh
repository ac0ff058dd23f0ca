#!/usr/bin/env bash
# Renders docs/outputs.md's pictures: a page of the 对照表 of a shared law (LibreOffice, as
# docs/render.sh does for the briefing) and the top of the seed plans' HTML report (headless
# Chromium). Usage: bash docs/render-sidebyside.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600}
export FONTCONFIG_FILE="$PWD/docs/fonts.conf"
law=tests/fixtures/law/上海市优化营商环境条例
.venv/bin/diffreport table "$law.2020-04-10.md" "$law.2024-09-27.md" -o "$tmp/table.docx"
soffice -env:UserInstallation="file://$tmp/profile" --headless --convert-to pdf --outdir "$tmp" "$tmp/table.docx" >/dev/null
pdftoppm -r 60 -png -singlefile -f 3 -l 3 "$tmp/table.pdf" docs/table-page
.venv/bin/diffreport diff seeds/nankai-2024-plan.txt seeds/nankai-2025-plan.txt --format html -o "$tmp/report.html" || true
chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$tmp/chromium" --hide-scrollbars \
  --window-size=1280,900 --screenshot="$PWD/docs/report-html.png" "file://$tmp/report.html" 2>/dev/null
ls -l docs/table-page.png docs/report-html.png
