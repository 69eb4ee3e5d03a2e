# Sourced by .ci/run: LibreOffice Writer (headless), a CJK font and poppler-utils (pdftoppm)
# for the report preview test. Debian's packages, installed only when missing; Debian 12 has
# libreoffice-writer-nogui (no GUI libraries), older releases only libreoffice-writer.
if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 \
  || ! fc-list 2>/dev/null | grep -qi "Noto Serif CJK"; then
  apt-get update -qq
  packages=()
  if ! command -v soffice >/dev/null 2>&1; then
    if apt-cache policy libreoffice-writer-nogui 2>/dev/null | grep -q "Candidate: [0-9]"; then
      packages+=(libreoffice-writer-nogui)
    else
      packages+=(libreoffice-writer)
    fi
  fi
  command -v pdftoppm >/dev/null 2>&1 || packages+=(poppler-utils)
  fc-list 2>/dev/null | grep -qi "Noto Serif CJK" || packages+=(fonts-noto-cjk)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi
