#!/usr/bin/env bash
# The trainer's native libraries for every OS/architecture the project supports: for each, Maven resolves the
# dependency graph as that machine would (the JVM's os.name/os.arch overridden, so the native-* profiles and
# JavaCPP's own platform detection activate as they would there), every native artifact must carry that platform's
# classifier, and each classifier jar must exist on Maven Central (checked with a HEAD request: the jars are
# 15-90 MB each, so they are not downloaded here). Maven itself cannot start on Linux with a Windows os.name (its
# console library calls Windows' kernel32), so for Windows the profile is selected by name and JavaCPP's platform
# given as -Djavacpp.platform: the dependency set is checked, its OS activation is not simulated.
#   .ci/check-natives.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo="${MAVEN_CENTRAL:-https://repo.maven.apache.org/maven2}"
status=0
for spec in "Linux:amd64:linux-x86_64" "Linux:aarch64:linux-arm64" "Mac OS X:x86_64:macosx-x86_64" "Mac OS X:aarch64:macosx-arm64" \
            "Windows 10:amd64:windows-x86_64"; do
  IFS=: read -r os arch platform <<<"$spec"
  tree_args=(-B -q -pl model-trainer dependency:tree -DoutputType=text -DoutputFile=/dev/stdout
    -Dincludes=org.nd4j:nd4j-native,org.nd4j:nd4j-native-preset,org.bytedeco)
  if [[ "$os" == Windows* ]]; then
    tree=$(mvn "${tree_args[@]}" -P "native-$platform" -Djavacpp.platform="$platform" 2>&1 || true)
  else
    # JDK_JAVA_OPTIONS keeps quoted values with spaces ("Mac OS X"), which MAVEN_OPTS would split.
    tree=$(JDK_JAVA_OPTIONS="-Dos.name=\"$os\" -Dos.arch=$arch" mvn "${tree_args[@]}" 2>&1 | grep -v '^NOTE: Picked up' || true)
  fi
  natives=$(echo "$tree" | grep -oE "[a-z0-9.-]+:[a-z0-9-]+:jar:[a-z0-9_-]+:[0-9][^:]*" | sort -u || true)
  if [ -z "$natives" ]; then
    echo "natives $platform: FAILED, no classified native artifact resolved"; echo "$tree" | tail -5; status=1; continue
  fi
  ok=1; line=""
  while IFS=: read -r group artifact _ classifier version; do
    if [ "$classifier" != "$platform" ]; then echo "natives $platform: FAILED, $group:$artifact has classifier $classifier"; ok=0; continue; fi
    url="$repo/${group//.//}/$artifact/$version/$artifact-$version-$classifier.jar"
    code=$(curl -s -o /dev/null -w '%{http_code}' -I "$url" || echo 000)
    if [ "$code" != 200 ]; then echo "natives $platform: FAILED, $url answered HTTP $code"; ok=0; fi
    line="$line $artifact-$version"
  done <<<"$natives"
  [ "$ok" = 1 ] && echo "natives $platform ($os/$arch): OK,$line" || status=1
done
exit $status
