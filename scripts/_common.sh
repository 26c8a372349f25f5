# shellcheck shell=bash
# Shared settings and helpers for scripts/setup, scripts/run and scripts/test.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_SRC="${ODOO_SRC:-/opt/odoo/18.0}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-$(id -un)}"
[ "$PGUSER" = "postgres" ] && PGUSER=root   # Odoo refuses to run as postgres
EMPATHIC_HOME="${EMPATHIC_HOME:-$HOME/.cache/empathic_crm}"
VENV="${EMPATHIC_VENV:-$EMPATHIC_HOME/venv}"
# the checkout appears as "empathic_crm" here, whatever the clone's folder is called
ADDONS_DIR="${EMPATHIC_ADDONS_DIR:-$EMPATHIC_HOME/addons-$(printf '%s' "$REPO_DIR" | md5sum | cut -c1-8)}"
ODOO_CONF="$ADDONS_DIR/odoo.conf"
HTTP_PORT="${HTTP_PORT:-8069}"
export ODOO_SRC PGHOST PGPORT PGUSER VENV ADDONS_DIR ODOO_CONF REPO_DIR

log() { printf '\033[1;34m[empathic]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[empathic] ERROR:\033[0m %s\n' "$*" >&2; exit 1; }

odoo_bin() { "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF" "$@"; }
psql_cmd() { psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -v ON_ERROR_STOP=1 "$@"; }

# Install empathic_crm with its demo story into the (new) database of "$1", a function
# that runs odoo-bin for that database; "$2" is the database's language (en_US, de_DE):
# as the database manager does, the language is loaded and the admin speaks it before
# the addon arrives, so the story is written in it.
install_demo_story() {
    local run="$1" lang="${2:-en_US}" db="$3"
    if [ "$lang" != "en_US" ]; then
        "$run" -i base --without-demo= --load-language="$lang" --stop-after-init --log-level=warn
        psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$db" -v ON_ERROR_STOP=1 -qc \
            "UPDATE res_partner SET lang = '$lang' WHERE id IN (SELECT partner_id FROM res_users
             WHERE login = 'admin') OR id = (SELECT partner_id FROM res_company ORDER BY id LIMIT 1)"
    fi
    # an empty --without-demo means: with demo data
    "$run" -i empathic_crm --without-demo= --stop-after-init --log-level=warn
}
