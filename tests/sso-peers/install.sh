#!/bin/sh
# Installs the SSO test peers (oauth2-mock-server, saml-idp) from the committed lock file.
# Usage: tests/sso-peers/install.sh   (needs Node >= 18 and npm)
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
test -x node_modules/.bin/oauth2-mock-server
test -x node_modules/.bin/saml-idp
echo "SSO test peers installed in $(pwd)/node_modules"
