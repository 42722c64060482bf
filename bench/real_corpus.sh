#!/usr/bin/env bash
# Puts the migrations of 13 open-source applications, in their real layouts, into a cache folder
# for bench/lint_corpus.sh (CORPUS=<that folder>). Nothing of them is committed or needed by the
# build or CI. Each repository is read from a local mirror when there is one (REPOS=<folder> of
# <owner>+<name>/repo git directories), else cloned shallowly from GitHub.
# Usage: bench/real_corpus.sh [cache folder]   (default ~/.cache/migration-guard/real-corpus)
set -euo pipefail
OUT=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/migration-guard/real-corpus}
REPOS=${REPOS:-/work/.mirror}
# name  repository  folder of its PostgreSQL migrations
PROJECTS="
documenso   documenso/documenso       packages/prisma/migrations
rallly      lukevella/rallly          packages/database/prisma/migrations
trigger     triggerdotdev/trigger.dev internal-packages/database/prisma/migrations
hoppscotch  hoppscotch/hoppscotch     packages/hoppscotch-backend/prisma/migrations
formbricks  formbricks/formbricks     packages/database/migration
umami       umami-software/umami      prisma/migrations
gotrue      supabase/auth             migrations
lemmy       LemmyNet/lemmy            migrations
harbor      goharbor/harbor           make/migrations/postgresql
kratos      ory/kratos                persistence/sql/migrations/sql
hydra       ory/hydra                 persistence/sql/migrations
temporal    temporalio/temporal       schema/postgresql/v12
openfga     openfga/openfga           assets/migrations/postgres
"
mkdir -p "$OUT"
while read -r name repo folder; do
    [[ -n $name ]] || continue
    dest=$OUT/$name
    [[ -d $dest ]] && continue
    git_dir=$REPOS/${repo/\//+}/repo
    tmp=$(mktemp -d)
    mkdir -p "$dest"
    if [[ -d $git_dir ]]; then
        git --git-dir="$git_dir" archive HEAD "$folder" |
            tar -x -C "$dest" --strip-components="$(tr -cd / <<<"$folder" | wc -c)"
        commit=$(git --git-dir="$git_dir" rev-parse --short HEAD)
    else
        git clone -q --depth 1 --filter=blob:none --sparse "https://github.com/$repo" "$tmp/clone"
        git -C "$tmp/clone" sparse-checkout set --no-cone "/$folder/"
        cp -r "$tmp/clone/$folder" "$dest/"
        commit=$(git -C "$tmp/clone" rev-parse --short HEAD)
    fi
    echo "$name: $repo $commit, $(find "$dest" -type f | wc -l) files" >>"$OUT/SOURCES"
    rm -rf "$tmp"
done <<<"$PROJECTS"
cat "$OUT/SOURCES"
