#!/usr/bin/env bash
# Regenerates docs/presets.md's table of every preset's settings from src/main/resources/presets/*.yaml
# (PresetsDocTest fails while they differ). Builds the classes first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f target/dqn-scratch.jar ]] || mvn -B -q -o package -DskipTests
java -cp target/dqn-scratch.jar org.dqnscratch.rl.PresetsDoc docs/presets.md
