#!/usr/bin/env bash
# Mutation testing (StrykerJS) of topology/ and constructs/, batch by batch: each batch
# mutates a group of files against the test suites that exercise them (a narrower suite set
# keeps a mutant cheap; a mutant another suite would kill counts as survived here, so the
# scores are lower bounds). Each batch keeps its own incremental file,
# reports/mutation/<batch>.json, so a second run retests only what changed, and batches
# add up; scripts/mutation-summary.mjs prints the per-file table from those files.
#
#   npm run mutation                      every batch, in the order below
#   npm run mutation -- rules trust       the named batches only
#   npm run mutation -- --list            the batches, their files and suites
#
# One file (or a line range) against suites of your choice, outside the batches:
#   MESHFLEET_MUTATION_SUITES=urls,topology npx stryker run --mutate topology/urls.ts \
#     --incrementalFile reports/mutation/scratch.json
set -euo pipefail
cd "$(dirname "$0")/.."
export MESHFLEET_UPSTREAM="${MESHFLEET_UPSTREAM:-$(cd .. && pwd)/shared/upstream}"

# batch | files to mutate (comma-separated globs) | suites (jest.mutation.config.js names)
# [| static: test static mutants too (construct suites synthesize while loading; see stryker.config.mjs)]
BATCHES=(
  "loader-values|topology/durations.ts,topology/urls.ts,topology/generated-names.ts,topology/compare.ts,topology/service-hosts.ts,topology/trust-scope.ts|durations,urls,names,topology,delivery-rules,failover-and-keys,namespaces,global-services-rules,compare,trust-scope,service-hosts"
  "rules|topology/rules/names.ts,topology/rules/namespaces.ts,topology/rules/services.ts,topology/rules/clusters.ts|topology,names,namespaces,global-services-rules"
  "constructs-secrets|constructs/remote-secret.ts,constructs/template-text.ts,constructs/plugin-ca-certificate.ts,constructs/plugin-ca-external-secret.ts,constructs/secret-names.ts|encoders,trust,secret-constructs|static"
  "reader-formats|topology/reader.ts:262-322|topology,json-schema"
  "reader|topology/reader.ts:1-261|topology,json-schema"
  "rules-delivery|topology/rules/delivery.ts|delivery-rules,topology"
  "rules-global-services|topology/rules/global-services.ts,topology/rules/context.ts,topology/rules/index.ts|global-services-rules,topology"
  "rules-trust|topology/rules/trust.ts|trust,topology,failover-and-keys"
  "rules-control-plane|topology/rules/control-plane.ts|control-plane,topology"
  "loader|topology/source.ts,topology/load.ts,topology/problems.ts,topology/inputs.ts,topology/schema.ts|topology,json-schema,namespaces,names"
  "constructs-delivery|constructs/flux-kubeconfig.ts,constructs/service-authorization.ts,constructs/reader-token.ts,constructs/reader-token-push.ts|delivery,global-services,trust,secret-constructs,flux-kubeconfig,service-authorization|static"
  "topology-facts|topology/facts.ts,topology/service-placement.ts,topology/east-west-placement.ts,topology/service-routes.ts,topology/types.ts|topology,global-services,control-plane,global-services-rules"
  "constructs|constructs/*.ts,!constructs/remote-secret.ts,!constructs/template-text.ts,!constructs/flux-kubeconfig.ts,!constructs/plugin-ca-certificate.ts,!constructs/plugin-ca-external-secret.ts,!constructs/service-authorization.ts,!constructs/secret-names.ts,!constructs/reader-token.ts,!constructs/reader-token-push.ts|control-plane,trust,global-services,delivery,encoders|static"
  "topology-data|topology/json-schema.ts,topology/hatches-schema.ts,topology/istio-chart-data.ts,topology/rules/hatches.ts|topology,json-schema,control-plane|static"
)

if [[ "${1:-}" == "--list" ]]; then
  for batch in "${BATCHES[@]}"; do IFS='|' read -r name files suites static <<<"$batch"; printf '%s\n  mutate: %s\n  suites: %s%s\n' "$name" "$files" "$suites" "${static:+ (static mutants tested)}"; done
  exit 0
fi

mkdir -p reports/mutation
for batch in "${BATCHES[@]}"; do
  IFS='|' read -r name files suites static <<<"$batch"
  if [[ $# -gt 0 && ! " $* " =~ " $name " ]]; then continue; fi
  echo "mutation: batch $name (suites: $suites${static:+; static mutants tested})" >&2
  start=$(date +%s)
  MESHFLEET_MUTATION_STATIC="${static:+run}" MESHFLEET_MUTATION_SUITES="$suites" npx stryker run --mutate "$files" \
    --incrementalFile "reports/mutation/$name.json" --reporters clear-text,progress
  echo "$(( $(date +%s) - start ))" > "reports/mutation/$name.seconds"
done
node scripts/mutation-summary.mjs reports/mutation/*.json
