# Sourced by .ci/run: headless Chromium from Debian's package (never a downloaded browser build)
# for tests/e2e/test_browser.py, plus a CJK font so its screenshot of the Chinese form is legible.
_wqy=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
if [ ! -x /usr/bin/chromium ] || [ ! -e "$_wqy" ]; then
  apt-get update -qq
  if [ ! -x /usr/bin/chromium ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  if [ ! -e "$_wqy" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei >/dev/null
  fi
fi
unset _wqy
