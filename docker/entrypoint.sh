#!/bin/sh
# First start: initialise the node from CURBSIDE_* variables. Every start: apply
# pending migrations, then run the command (curbside serve by default).
set -eu
DATA=/data/node
if [ ! -f "$DATA/curbside.toml" ]; then
    : "${CURBSIDE_INIT_DOMAIN:?set CURBSIDE_INIT_DOMAIN to the node's public host name}"
    : "${CURBSIDE_INIT_COUNTRY:?set CURBSIDE_INIT_COUNTRY to the ISO country code}"
    curbside init "$DATA" --domain "$CURBSIDE_INIT_DOMAIN" --country "$CURBSIDE_INIT_COUNTRY" \
        ${CURBSIDE_INIT_NAME:+--name "$CURBSIDE_INIT_NAME"} \
        ${CURBSIDE_INIT_LOCALE:+--locale "$CURBSIDE_INIT_LOCALE"} \
        ${CURBSIDE_DATABASE_URL:+--database-url "$CURBSIDE_DATABASE_URL"}
fi
curbside db upgrade "$DATA"
exec "$@"
