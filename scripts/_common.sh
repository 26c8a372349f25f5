# shellcheck shell=bash
# shellcheck disable=SC2034  # its settings are used by the scripts that source it
# Shared settings and helpers for scripts/setup, scripts/run and scripts/test.
#
# Odoo series: 18.0 (default) or 19.0, from one checkout. Chosen by, in this order:
#   a first argument "--series NN.0" of any script (taken off its arguments here),
#   ODOO_SERIES=NN.0, the series of the tree $ODOO_SRC points to (odoo/release.py),
#   else 18.0. Each series has its own source tree (default /opt/odoo/$ODOO_SERIES),
#   virtualenv, addons dir/odoo.conf, data dir and database names; 18.0 keeps the
#   paths it always had (~/.cache/empathic_crm/venv, addons-<hash>, data, empathic_demo).
set -euo pipefail

log() { printf '\033[1;34m[empathic]\033[0m %s\n' "$*" >&2; }
error() { printf '\033[1;31m[empathic] ERROR:\033[0m %s\n' "$*" >&2; }
die() { error "$@"; exit 1; }

SUPPORTED_SERIES="18.0 19.0"   # tools/compat.py SUPPORTED_SERIES says the same
DEFAULT_SERIES="18.0"          # lint, README, client tests and benchmarks run on it
# "major.minor" of the Odoo tree in $1, read from its odoo/release.py (empty if none)
odoo_tree_series() {
    sed -nE 's/^version_info = \(([0-9]+), *([0-9]+),.*/\1.\2/p' "$1/odoo/release.py" 2>/dev/null | head -1
}
SERIES_FROM="the default"
if [ "${1:-}" = "--series" ]; then
    [ -n "${2:-}" ] || die "--series needs a series, one of: $SUPPORTED_SERIES"
    ODOO_SERIES="$2" SERIES_FROM="--series $2"
    shift 2
elif [ -n "${ODOO_SERIES:-}" ]; then
    SERIES_FROM="ODOO_SERIES=$ODOO_SERIES"
fi
if [ -z "${ODOO_SERIES:-}" ] && [ -n "${ODOO_SRC:-}" ]; then
    ODOO_SERIES="$(odoo_tree_series "$ODOO_SRC")"
    [ -z "$ODOO_SERIES" ] || SERIES_FROM="ODOO_SRC=$ODOO_SRC (its odoo/release.py)"
fi
ODOO_SERIES="${ODOO_SERIES:-$DEFAULT_SERIES}"
case " $SUPPORTED_SERIES " in
    *" $ODOO_SERIES "*) ;;
    *) die "Odoo series '$ODOO_SERIES' (from $SERIES_FROM) is not supported: the supported
series are $SUPPORTED_SERIES. A series is written major.0 (19.0, not 19). A new series
(20.0) is added to SUPPORTED_SERIES in scripts/_common.sh and tools/compat.py, with its
branch in every compat function and its data/odoo<major>/ and static/src/compat/odoo<major>/
files (readme/DEVELOPMENT.md, \"Odoo series\"; readme/COMPATIBILITY.md for what is known)." ;;
esac
ODOO_SRC="${ODOO_SRC:-/opt/odoo/$ODOO_SERIES}"
if [ -f "$ODOO_SRC/odoo/release.py" ] && [ "$(odoo_tree_series "$ODOO_SRC")" != "$ODOO_SERIES" ]; then
    die "ODOO_SRC=$ODOO_SRC holds Odoo $(odoo_tree_series "$ODOO_SRC"), not the series $ODOO_SERIES asked for"
fi
# the default series keeps its historical names; another one gets a suffix
if [ "$ODOO_SERIES" = "18.0" ]; then SERIES_SUFFIX=""; else SERIES_SUFFIX="-$ODOO_SERIES"; fi
# database names: empathic_demo (18.0), empathic_demo_19 (19.0)
if [ "$ODOO_SERIES" = "18.0" ]; then DB_SUFFIX=""; else DB_SUFFIX="_${ODOO_SERIES%%.*}"; fi

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-$(id -un)}"
[ "$PGUSER" = "postgres" ] && PGUSER=root   # Odoo refuses to run as postgres
EMPATHIC_HOME="${EMPATHIC_HOME:-$HOME/.cache/empathic_crm}"
VENV="${EMPATHIC_VENV:-$EMPATHIC_HOME/venv$SERIES_SUFFIX}"
# the checkout appears as "empathic_crm" here, whatever the clone's folder is called
ADDONS_DIR="${EMPATHIC_ADDONS_DIR:-$EMPATHIC_HOME/addons-$(printf '%s' "$REPO_DIR" | md5sum | cut -c1-8)$SERIES_SUFFIX}"
ODOO_CONF="$ADDONS_DIR/odoo.conf"
DATA_DIR="$EMPATHIC_HOME/data$SERIES_SUFFIX"
# Odoo's own addons: a git clone has addons/ and odoo/addons; a packaged tree (the 19.0
# snapshot of PLATFORM.md) only odoo/addons
ODOO_ADDONS_PATH="$(for d in "$ODOO_SRC/addons" "$ODOO_SRC/odoo/addons"; do [ ! -d "$d" ] || echo "$d"; done | paste -sd, -)"
HTTP_PORT="${HTTP_PORT:-8069}"
# demo data of a new database: 18.0's --without-demo takes "all" (none) or "" (with demo);
# 19.0 has --with-demo and a boolean --without-demo (no demo is its default)
if [ "$ODOO_SERIES" = "18.0" ]; then
    WITHOUT_DEMO="--without-demo=all" WITH_DEMO="--without-demo=" CONF_WITHOUT_DEMO="all"
else
    WITHOUT_DEMO="--without-demo=True" WITH_DEMO="--with-demo" CONF_WITHOUT_DEMO="True"
fi
export ODOO_SERIES ODOO_SRC PGHOST PGPORT PGUSER VENV ADDONS_DIR ODOO_CONF REPO_DIR

# Bridge addons: bridges/<name>/ of the checkout, each an addon of its own that joins
# empathic_crm to an Odoo app (empathic_crm_mass_mailing: Email Marketing) and installs
# itself when both are (auto_install). The addons dir links each one beside empathic_crm
# (an addons path may name <checkout>/bridges instead); scripts/test tests them in a
# database of their own; the main addon's lint tree, wheel and zip leave bridges/ out.
BRIDGES_DIR="$REPO_DIR/bridges"
BRIDGES="$(find "$BRIDGES_DIR" -mindepth 2 -maxdepth 2 -name __manifest__.py -printf '%h\n' 2>/dev/null \
    | xargs -r -n1 basename | sort | paste -sd' ' -)"
# the modules a database with every bridge gets, in install order: the apps the bridges
# depend on (from their manifests: mass_mailing), empathic_crm, the bridges;
# `bridge_modules --added`: without empathic_crm, for a database that has it (-i of an
# installed module reloads its data, and its demo story fails the second time)
bridge_modules() {
    # shellcheck disable=SC2086 # one argument per bridge
    python3 - "$BRIDGES_DIR" "${1:-}" $BRIDGES <<'PY'
import ast, pathlib, sys
root, added, names = pathlib.Path(sys.argv[1]), sys.argv[2] == "--added", sys.argv[3:]
apps = []
for name in names:
    for depend in ast.literal_eval((root / name / "__manifest__.py").read_text())["depends"]:
        if depend not in apps and depend not in names and depend != "empathic_crm":
            apps.append(depend)
print(",".join([*apps, *([] if added else ["empathic_crm"]), *names]))
PY
}

# Copy the files git knows under directory "$1" (tracked, or new and not ignored: what a
# package or an Apps zip holds, no .git) into directory "$2", leaving out the paths
# (relative to "$1") matching the extended regex "$3" (optional)
export_tree() {
    local src="$1" dest="$2" exclude="${3:-^$}"
    mkdir -p "$dest"
    (cd "$src" && git ls-files -z --cached --others --exclude-standard -- .) \
        | grep -zvE "$exclude" \
        | (cd "$src" && { xargs -0 -r cp --parents -t "$dest" 2>/dev/null || true; })
}
# Addons of a series' source tree that are not Odoo's. They cannot be left out of the
# addons path (Odoo always adds its own odoo/addons) and nothing installs them: 19.0's
# ai_app_deepseek (auto_install: a new database marks it "to install", but it depends
# on Enterprise's ai_app, absent, so it is never loaded; Odoo logs "inconsistent
# states" for it) and init_connect_gpt (an OpenAI connector nothing depends on).
# A module left "to install" makes Odoo refuse every later module operation of the
# database ("Odoo is currently processing another module operation": Apps' Install
# and Uninstall buttons): check_installed puts such a foreign addon back to
# "uninstalled" after each install, as Odoo's own button_reset_state does; scripts/test
# checks that they stay uninstalled.
case "$ODOO_SERIES" in
    19.0) FOREIGN_ADDONS="ai_app_deepseek init_connect_gpt" ;;
    *) FOREIGN_ADDONS="" ;;
esac

# Wall-clock per stage: `stage NAME` ends the running stage (logs its time) and starts
# NAME; `stage ""` only ends it. With EMPATHIC_STAGE_LOG set, each ended stage appends
# "label<TAB>seconds<TAB>status" there (.ci/run prints the table); the label is
# "$STAGE_PREFIX$NAME". `stage_failed` ends it marked failed (an EXIT trap after an error).
STAGE_PREFIX="${STAGE_PREFIX:-}" _STAGE_NAME="" _STAGE_START=0
stage_end() {
    [ -n "$_STAGE_NAME" ] || return 0
    local seconds=$((SECONDS - _STAGE_START)) status="${1:-ok}"
    log "stage $STAGE_PREFIX$_STAGE_NAME: $((seconds / 60)) min $((seconds % 60)) s ($status)"
    [ -z "${EMPATHIC_STAGE_LOG:-}" ] \
        || printf '%s\t%s\t%s\n' "$STAGE_PREFIX$_STAGE_NAME" "$seconds" "$status" >>"$EMPATHIC_STAGE_LOG"
    _STAGE_NAME=""
}
stage() { stage_end; _STAGE_NAME="$1" _STAGE_START=$SECONDS; }
stage_failed() { stage_end failed; }
stage_done() { if [ "$1" -eq 0 ]; then stage_end; else stage_failed; fi; }  # stage_done RC
# print the rows of a stage log as a table, with the total
stage_table() {
    [ -s "$1" ] || return 0
    awk -F '\t' '{ printf "  %-34s %3d min %02d s  %s\n", $1, $2 / 60, $2 % 60, $3; total += $2 }
        END { printf "  %-34s %3d min %02d s\n", "total", total / 60, total % 60 }' "$1" >&2
}

odoo_bin() { "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF" "$@"; }
psql_cmd() { psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -v ON_ERROR_STOP=1 "$@"; }

# Fail (status 1, with a message) unless each module of "$2..." is installed in database
# "$1". Odoo installs nothing and exits 0 when it finds a module not installable (e.g. a
# manifest version of another series): the state in ir_module_module is the only
# reliable answer.
check_installed() {
    local db="$1" module state
    shift
    for module in "$@"; do
        state="$(psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$db" -tAc \
            "SELECT state FROM ir_module_module WHERE name = '$module'" 2>/dev/null || true)"
        [ "$state" = "installed" ] && continue
        error "$module is '${state:-absent}' in database $db after the install, not 'installed':
Odoo $ODOO_SERIES ($ODOO_SRC) did not install it. Look for the reason in the log above
('not installable', a missing dependency, a manifest version of another series, an error
while loading a file)."
        return 1
    done
    settle_foreign_addons "$db"
}

# Put FOREIGN_ADDONS an install left "to install" back to "uninstalled" in database "$1"
settle_foreign_addons() {
    [ -n "$FOREIGN_ADDONS" ] || return 0
    local names
    # shellcheck disable=SC2086 # one name per word
    names="$(printf "'%s'," $FOREIGN_ADDONS)"
    psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$1" -v ON_ERROR_STOP=1 -qc \
        "UPDATE ir_module_module SET state = 'uninstalled'
          WHERE name IN (${names%,}) AND state = 'to install'" >/dev/null
}

# Fail unless none of the FOREIGN_ADDONS is installed in database "$1"
check_foreign_addons() {
    local module state
    for module in $FOREIGN_ADDONS; do
        state="$(psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$1" -tAc \
            "SELECT state FROM ir_module_module WHERE name = '$module'" 2>/dev/null || true)"
        case "$state" in
            installed|"to upgrade"|"to remove")
                error "$module, an addon of the $ODOO_SERIES tree that is not Odoo's, is '$state' in $1"
                return 1 ;;
        esac
    done
}

# Install empathic_crm with its demo story into the (new) database of "$1", a function
# that runs odoo-bin for that database; "$2" is the database's language (en_US, de_DE):
# as the database manager does, the language is loaded and the admin speaks it before
# the addon arrives, so the story is written in it.
install_demo_story() {
    local run="$1" lang="${2:-en_US}" db="$3"
    if [ "$lang" != "en_US" ]; then
        "$run" -i base "$WITH_DEMO" --load-language="$lang" --stop-after-init --log-level=warn
        psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$db" -v ON_ERROR_STOP=1 -qc \
            "UPDATE res_partner SET lang = '$lang' WHERE id IN (SELECT partner_id FROM res_users
             WHERE login = 'admin') OR id = (SELECT partner_id FROM res_company ORDER BY id LIMIT 1)"
    fi
    "$run" -i empathic_crm "$WITH_DEMO" --stop-after-init --log-level=warn
    check_installed "$db" empathic_crm || return 1
    # Odoo installs a module whose demo data failed without its demo data (a warning)
    [ "$(psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$db" -tAc \
        "SELECT demo FROM ir_module_module WHERE name = 'empathic_crm'")" = "t" ] && return 0
    error "empathic_crm is installed in $db WITHOUT its demo story: loading the demo data
failed (see the warnings above); drop the database and look for the first error."
    return 1
}
