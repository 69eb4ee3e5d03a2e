# Sourced by .ci/run: LibreOffice Writer and Calc (headless), a CJK font and poppler-utils
# (pdftoppm, pdftotext, pdfinfo) for the report preview and print tests. Debian's packages,
# installed only when missing; Debian 12 has the -nogui variants (no GUI libraries), older
# releases only libreoffice-writer / libreoffice-calc.
calc_missing() {
  ! ls /usr/lib/libreoffice/program/libsclo.so >/dev/null 2>&1
}
if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 \
  || calc_missing || ! fc-list 2>/dev/null | grep -qi "Noto Serif CJK"; then
  apt-get update -qq
  packages=()
  for app in writer calc; do
    if [ "$app" = calc ] && ! calc_missing; then continue; fi
    if [ "$app" = writer ] && command -v soffice >/dev/null 2>&1; then continue; fi
    if apt-cache policy "libreoffice-$app-nogui" 2>/dev/null | grep -q "Candidate: [0-9]"; then
      packages+=("libreoffice-$app-nogui")
    else
      packages+=("libreoffice-$app")
    fi
  done
  command -v pdftoppm >/dev/null 2>&1 || packages+=(poppler-utils)
  fc-list 2>/dev/null | grep -qi "Noto Serif CJK" || packages+=(fonts-noto-cjk)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi
