#!/usr/bin/env bash
# Builds the example against the installed dqn-scratch (run `mvn install -DskipTests` in the folder above
# first) and runs it: exit code 0 when the trained agent takes the shortest path out of the corridor.
# Extra arguments go to Maven (-o: offline).
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q "$@" package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
# --add-modules jdk.incubator.vector: dqn-scratch's fast matrix kernels (without it, plain Java ones run).
exec java --add-modules jdk.incubator.vector -cp "target/classes:$(cat target/classpath.txt)" org.dqnscratch.examples.CorridorExample
