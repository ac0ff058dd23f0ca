#!/usr/bin/env bash
# Renders the README's pictures of the briefing: one page of each part, as a reader sees it.
# Needs LibreOffice and poppler-utils (see .ci/run); for Chinese faces close to the styles'
# 黑体/楷体/仿宋 also fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming (docs/fonts.conf maps
# the names). Usage: bash docs/render.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600}
export FONTCONFIG_FILE="$PWD/docs/fonts.conf"
.venv/bin/diffreport brief -o "$tmp/briefing.docx"
soffice -env:UserInstallation="file://$tmp/profile" --headless --convert-to pdf --outdir "$tmp" "$tmp/briefing.docx" >/dev/null
pages=$(pdfinfo "$tmp/briefing.pdf" | awk '/^Pages:/ {print $2}')
# First page whose text starts a line with the part's heading (the contents page is page 1).
page_of() {
  for ((i = 2; i <= pages; i++)); do
    if pdftotext -f "$i" -l "$i" "$tmp/briefing.pdf" - | grep -q "^$1"; then echo "$i"; return; fi
  done
}
shot() {  # name page
  pdftoppm -r 60 -png -singlefile -f "$2" -l "$2" "$tmp/briefing.pdf" "docs/briefing-$1"
}
shot cover 1
shot summary "$(page_of '一、摘要')"
shot targets "$(page_of '二、主要指标对比')"
shot structure "$(page_of '三、结构对照')"
shot priorities "$(page_of '1\.坚持以高质量发展为主线')"  # the first section of priorities
shot terms "$(page_of '五、新提法与不再提及')"
shot appendix "$(page_of '附录：修订对照')"
ls -l docs/*.png
