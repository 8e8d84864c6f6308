#!/usr/bin/env bash
# Jars Spark needs beyond pyspark's own, for the spark-etl job run outside Glue (spark-submit): the
# s3a:// filesystem. hadoop-aws must match pyspark 3.5.4's Hadoop (3.3.4), and the AWS SDK bundle is
# the one hadoop-aws 3.3.4 was built against (1.12.262). Downloaded once from Maven Central by exact
# version into .cache/spark-jars/ (gitignored) and checked against the SHA-1 Maven Central publishes,
# pinned here. Idempotent: a jar already present with the right checksum is kept.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="$root/.cache/spark-jars"
mkdir -p "$dir"
central="${LAKEPIPE_MAVEN_CENTRAL:-https://repo1.maven.org/maven2}"
# path under Maven Central | sha1
jars=(
  "org/apache/hadoop/hadoop-aws/3.3.4/hadoop-aws-3.3.4.jar|a65839fbf1869f81a1632e09f415e586922e4f80"
  "com/amazonaws/aws-java-sdk-bundle/1.12.262/aws-java-sdk-bundle-1.12.262.jar|02deec3a0ad83d13d032b1812421b23d7a961eea"
)
for entry in "${jars[@]}"; do
  path="${entry%%|*}"
  sha1="${entry##*|}"
  file="$dir/$(basename "$path")"
  if [ -f "$file" ] && [ "$(sha1sum "$file" | cut -d' ' -f1)" = "$sha1" ]; then
    continue
  fi
  echo "downloading $(basename "$path") from Maven Central into .cache/spark-jars/" >&2
  curl -sSfL --retry 3 -o "$file.part" "$central/$path"
  got="$(sha1sum "$file.part" | cut -d' ' -f1)"
  if [ "$got" != "$sha1" ]; then
    rm -f "$file.part"
    echo "$(basename "$path"): SHA-1 $got does not match the pinned $sha1" >&2
    exit 1
  fi
  mv "$file.part" "$file"
done
