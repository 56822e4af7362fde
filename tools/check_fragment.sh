#!/usr/bin/env bash
# Fails when the commits since BASE change what the collection ships (plugins/, meta/, galaxy.yml, requirements.txt,
# docs/) without adding a changelog fragment (changelogs/fragments/*.yml). Used by the workflow's changelog job on pull
# requests; run it locally with the branch point: tools/check_fragment.sh origin/main
set -euo pipefail
base=${1:?usage: tools/check_fragment.sh BASE_REF}
cd "$(dirname "$0")/.."
changed=$(git diff --name-only --diff-filter=ACMRD "$base"...HEAD)
shipped=$(echo "$changed" | grep -E '^(plugins/|meta/|galaxy\.yml$|requirements\.txt$|docs/)' || true)
fragments=$(git diff --name-only --diff-filter=AM "$base"...HEAD -- 'changelogs/fragments/*.yml' 'changelogs/fragments/*.yaml')
if [ -z "$shipped" ]; then
  echo "check_fragment: nothing the collection ships changed; no fragment needed"
elif [ -n "$fragments" ]; then
  echo "check_fragment: fragment(s) added or changed: $(echo "$fragments" | tr '\n' ' ')"
else
  echo "check_fragment: these changes ship to users but no changelog fragment was added under changelogs/fragments/:" >&2
  while IFS= read -r path; do printf '  %s\n' "$path"; done <<< "$shipped" >&2
  echo "Add one (see CONTRIBUTING.md), or label the pull request skip-changelog when no user can notice the change." >&2
  exit 1
fi
