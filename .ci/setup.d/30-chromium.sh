# Sourced by .ci/run: headless Chromium (Debian's package, never a downloaded build) and a
# CJK font for the browser test's screenshot of the Prefect UI's Chinese parameter form.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wqy"; then
  apt-get update -qq
  if [ ! -x /usr/bin/chromium ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  if ! fc-list 2>/dev/null | grep -qi "wqy"; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei >/dev/null
  fi
fi
