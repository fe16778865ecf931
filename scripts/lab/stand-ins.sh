#!/usr/bin/env bash
# stand-ins.sh: give node-0's Docker the Dockerfile's two base images, which it cannot pull (the lab has no way out,
# and this machine reaches no image registry), so that `docker build` of the unchanged Dockerfile runs on node-0 as
# on the course's node-0:
#   docker.io/library/debian:bookworm-slim          <- debootstrap minbase bookworm (+ binutils, unzip: the Dockerfile's
#                                                      natives stage apt-get installs them, and node-0 has no network)
#   docker.io/library/maven:3.9-eclipse-temurin-25  <- that + this machine's Temurin 25 JDK + Maven 3.9 + this
#                                                      machine's Maven repository, offline (the build stage's Maven
#                                                      cannot download either)
# The base images are made with Docker on node-0 itself (docker import, docker build); the root file system and Maven
# are cached in ML_APP_IMAGE_CACHE (~/.cache/ml-app-image/lab). Needs a running lab (scripts/lab/up.sh).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
# shellcheck source=../lib/jdk.sh
source "$ROOT/scripts/lib/jdk.sh"
jdk_use
CACHE=${ML_APP_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ml-app-image}/lab
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
MAVEN_VERSION=3.9.11
RUNTIME_IMAGE=docker.io/library/debian:bookworm-slim
BUILD_IMAGE=docker.io/library/maven:3.9-eclipse-temurin-25
log() { printf '== stand-ins: %s\n' "$*" >&2; }
d0() { in_node node-0 docker "$@"; }
mkdir -p "$CACHE"

if ! d0 image inspect "$RUNTIME_IMAGE" >/dev/null 2>&1; then
  if [ ! -f "$CACHE/bookworm-slim.tar" ]; then
    log "debootstrap minbase bookworm (+ binutils unzip)"
    rm -rf "$CACHE/rootfs"
    debootstrap --variant=minbase --include=binutils,unzip bookworm "$CACHE/rootfs" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1
    rm -rf "$CACHE"/rootfs/var/lib/apt/lists/* "$CACHE"/rootfs/var/cache/apt/* "$CACHE"/rootfs/usr/share/doc/* \
      "$CACHE"/rootfs/usr/share/man/* "$CACHE"/rootfs/usr/share/locale/*
    tar -C "$CACHE/rootfs" -cf "$CACHE/bookworm-slim.tar.part" . && mv "$CACHE/bookworm-slim.tar.part" "$CACHE/bookworm-slim.tar"
    rm -rf "$CACHE/rootfs"
  fi
  log "docker import $RUNTIME_IMAGE on node-0"
  d0 import --change 'CMD ["bash"]' --change 'LABEL dev.mlapp.stand-in="debootstrap minbase bookworm + binutils unzip"' \
    "$CACHE/bookworm-slim.tar" "$RUNTIME_IMAGE" >/dev/null
fi

# The Maven stand-in holds what the Dockerfile's Maven steps need for this pom.xml, with this JDK and Maven: node-0's
# Docker keeps it from one lab to the next (scripts/lab/up.sh), and it is made again when one of them changed
key=$( (cat "$ROOT/pom.xml"; echo "$MAVEN_VERSION"; cat "$JAVA_HOME/release") | sha256sum | cut -c1-16)
if [ "$(d0 image inspect --format '{{ index .Config.Labels "dev.mlapp.stand-in.key" }}' "$BUILD_IMAGE" 2>/dev/null)" != "$key" ]; then
  if [ ! -d "$CACHE/maven-$MAVEN_VERSION" ]; then
    log "Maven $MAVEN_VERSION from Maven Central"
    url=https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/$MAVEN_VERSION
    curl -fsSL "$url/apache-maven-$MAVEN_VERSION-bin.tar.gz" -o "$CACHE/maven.tar.gz"
    (cd "$CACHE" && echo "$(curl -fsSL "$url/apache-maven-$MAVEN_VERSION-bin.tar.gz.sha512")  maven.tar.gz" | sha512sum -c --quiet -)
    mkdir "$CACHE/maven-$MAVEN_VERSION.part"
    tar -C "$CACHE/maven-$MAVEN_VERSION.part" --strip-components=1 -xzf "$CACHE/maven.tar.gz"
    mv "$CACHE/maven-$MAVEN_VERSION.part" "$CACHE/maven-$MAVEN_VERSION"; rm -f "$CACHE/maven.tar.gz"
  fi
  # Everything the Dockerfile's two Maven steps need, in this machine's repository: the same two calls with the same
  # Maven (another Maven version resolves other default plugin versions), on a copy of pom.xml and src/main
  log "the Dockerfile's Maven steps with Maven $MAVEN_VERSION here, into ~/.m2 (dependencies and plugins)"
  m=$LAB_DIR/stand-in-maven; rm -rf "$m"; mkdir -p "$m"
  cp "$ROOT/pom.xml" "$m/"; mkdir -p "$m/src"; cp -r "$ROOT/src/main" "$m/src/main"
  (cd "$m" && "$CACHE/maven-$MAVEN_VERSION/bin/mvn" -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:go-offline &&
     "$CACHE/maven-$MAVEN_VERSION/bin/mvn" -B -q -DskipTests package) >"$LAB_DIR/stand-in-maven.log" 2>&1 ||
    { tail -20 "$LAB_DIR/stand-in-maven.log" >&2; exit 1; }
  rm -rf "$m"
  ctx=$LAB_DIR/stand-in-build
  rm -rf "$ctx"; mkdir -p "$ctx/m2"
  cp -rL "$JAVA_HOME" "$ctx/jdk"
  cp -a "$CACHE/maven-$MAVEN_VERSION" "$ctx/maven"
  cp -al "$HOME/.m2/repository" "$ctx/m2/repository" 2>/dev/null || cp -a "$HOME/.m2/repository" "$ctx/m2/repository"
  printf '<settings><offline>true</offline></settings>\n' >"$ctx/m2/settings.xml"
  cat >"$ctx/Dockerfile" <<EOF
FROM $RUNTIME_IMAGE
COPY jdk /opt/java/openjdk
COPY maven /usr/share/maven
COPY m2 /root/.m2
ENV JAVA_HOME=/opt/java/openjdk MAVEN_HOME=/usr/share/maven MAVEN_CONFIG=/root/.m2
ENV PATH=/opt/java/openjdk/bin:/usr/share/maven/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL dev.mlapp.stand-in="Temurin 25 + Maven $MAVEN_VERSION + an offline Maven repository on the bookworm stand-in" dev.mlapp.stand-in.key="$key"
CMD ["mvn"]
EOF
  log "docker build $BUILD_IMAGE on node-0"
  DOCKER_BUILDKIT=0 in_node node-0 docker build -q -t "$BUILD_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
fi
log "node-0's Docker has $RUNTIME_IMAGE and $BUILD_IMAGE"
