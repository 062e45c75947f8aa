#!/usr/bin/env bash
# Installs the Debian packages the tests and `make run-cluster` need, when missing, with
# apt-get as root; otherwise says what to install. Run by make-venv.sh (the install step);
# tests/e2e/test_cluster.py runs it when nginx is missing. Usage: system-packages.sh
set -euo pipefail

# install_missing "PACKAGES" "what needs them": installs those of PACKAGES not installed.
install_missing() {
  local packages=$1 needed_by=$2
  if dpkg -s $packages >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing $packages (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends $packages >/dev/null \
      || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $packages >/dev/null; }
  else
    echo "warning: install $packages (as root: apt-get install -y $packages); $needed_by" >&2
  fi
}

# The web widget's tests drive Debian's Chromium through Playwright (Playwright's own browser
# download cannot be reached); a CJK font makes the screenshots they take readable.
install_missing "chromium fonts-wqy-microhei" "the browser tests of the widget need /usr/bin/chromium"
# The load balancer of `make run-cluster` and of tests/e2e/test_cluster.py. Only its binary
# is used (with a configuration under var/cluster/); the package's own service is not needed.
install_missing "nginx" "make run-cluster and the cluster's tests need nginx"
