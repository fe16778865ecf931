#!/usr/bin/env bash
# Builds the root Dockerfile with buildah, where there is no Docker engine and no registry to pull base images from.
#
# Base images that are not in local storage get local stand-ins, tagged under the public names the Dockerfile's
# build args default to, so the Dockerfile itself is built unchanged:
#   docker.io/library/debian:bookworm-slim         <- debootstrap --variant=minbase bookworm, trimmed like -slim
#   docker.io/library/maven:3.9-eclipse-temurin-25 <- that + this machine's Temurin 25 JDK + Maven from Maven Central
# Cached, so a second run is fast: stand-ins are built once, buildah's --layers cache reuses the dependency layer, and
# when nothing the image is built from changed (Dockerfile, pom.xml, src/, the model files) the build is skipped.
#
# Usage: scripts/deploy/build-image.sh [IMAGE]     (default localhost/ml-app:latest; prints the image name last)
#        scripts/deploy/build-image.sh --stand-ins-only   (only the base images, for builds elsewhere, e.g. by Ansible)
# Env:   ML_APP_IMAGE_CACHE  where stand-in root filesystems are kept (default ~/.cache/ml-app-image)
#        JAVA_HOME           the JDK copied into the build stand-in (default: the one scripts/lib/jdk.sh finds)
#        DEBIAN_MIRROR       for debootstrap (default http://deb.debian.org/debian)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/jdk.sh
source scripts/lib/jdk.sh
jdk_use

IMAGE=${1:-localhost/ml-app:latest}
CACHE=${ML_APP_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ml-app-image}
JDK=$JAVA_HOME
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
RUNTIME_IMAGE=docker.io/library/debian:bookworm-slim
BUILD_IMAGE=docker.io/library/maven:3.9-eclipse-temurin-25
MAVEN_VERSION=3.9.11
# vfs and chroot isolation: the only storage driver and isolation that work without a privileged container.
BUILDAH=(buildah --storage-driver vfs)

log() { printf '== %s\n' "$*" >&2; }

has_image() { "${BUILDAH[@]}" inspect --type image "$1" >/dev/null 2>&1; }

stand_in_runtime() {
    has_image "$RUNTIME_IMAGE" && return
    local dir=$CACHE/debian-bookworm-slim
    if [ ! -f "$dir/rootfs.tar" ]; then
        log "making a stand-in for $RUNTIME_IMAGE with debootstrap"
        rm -rf "$dir" && mkdir -p "$dir"
        debootstrap --variant=minbase bookworm "$dir/rootfs" "$MIRROR" >"$dir/debootstrap.log"
        # What debian:*-slim leaves out: package lists, caches, docs, man pages, translations.
        rm -rf "$dir"/rootfs/var/lib/apt/lists/* "$dir"/rootfs/var/cache/apt/* "$dir"/rootfs/var/log/*.log \
            "$dir"/rootfs/usr/share/doc/* "$dir"/rootfs/usr/share/man/* "$dir"/rootfs/usr/share/info/* \
            "$dir"/rootfs/usr/share/locale/*
        tar -C "$dir/rootfs" -cf "$dir/rootfs.tar" .
        rm -rf "$dir/rootfs"
    fi
    printf 'FROM scratch\nADD rootfs.tar /\nLABEL dev.mlapp.stand-in="debootstrap minbase bookworm"\nCMD ["bash"]\n' \
        >"$dir/Dockerfile"
    "${BUILDAH[@]}" build --isolation chroot --pull=never -q -t "$RUNTIME_IMAGE" "$dir" >/dev/null
}

stand_in_build() {
    has_image "$BUILD_IMAGE" && return
    log "making a stand-in for $BUILD_IMAGE from $JDK and Maven $MAVEN_VERSION"
    local dir=$CACHE/maven-temurin-25
    rm -rf "$dir" && mkdir -p "$dir"
    cp -rL "$JDK" "$dir/jdk" # -L: Debian's JDK packages link cacerts to /etc/ssl, absent in the stand-in
    local url=https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/$MAVEN_VERSION
    curl -fsSL "$url/apache-maven-$MAVEN_VERSION-bin.tar.gz" -o "$dir/maven.tar.gz"
    (cd "$dir" && echo "$(curl -fsSL "$url/apache-maven-$MAVEN_VERSION-bin.tar.gz.sha512")  maven.tar.gz" \
        | sha512sum -c --quiet -)
    mkdir "$dir/maven" && tar -C "$dir/maven" --strip-components=1 -xzf "$dir/maven.tar.gz" && rm "$dir/maven.tar.gz"
    # The same layout and environment as the official maven:*-eclipse-temurin-* images.
    cat >"$dir/Dockerfile" <<EOF
FROM $RUNTIME_IMAGE
COPY jdk /opt/java/openjdk
COPY maven /usr/share/maven
ENV JAVA_HOME=/opt/java/openjdk MAVEN_HOME=/usr/share/maven MAVEN_CONFIG=/root/.m2
ENV PATH=/opt/java/openjdk/bin:/usr/share/maven/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL dev.mlapp.stand-in="host Temurin 25 + Maven $MAVEN_VERSION on the bookworm stand-in"
CMD ["mvn"]
EOF
    "${BUILDAH[@]}" build --isolation chroot --pull=never -q -t "$BUILD_IMAGE" "$dir" >/dev/null
    rm -rf "$dir"
}

# Everything the image is built from; the same inputs give the same image, so the build can be skipped.
inputs_digest() {
    { sha256sum Dockerfile .dockerignore pom.xml jvm.conf docker/* ./*.h5 ./*.hdf5 ./*.keras ./*.json labels.txt class_names.txt \
        2>/dev/null
      find src/main -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16
}

stand_in_runtime
stand_in_build
if [ "${1:-}" = --stand-ins-only ]; then
    log "base image stand-ins are in local storage"
    exit 0
fi

digest=$(inputs_digest)
if has_image "localhost/ml-app-cache:$digest"; then
    log "image inputs unchanged ($digest): reusing the last build"
else
    log "building $IMAGE"
    mkdir -p "$HOME/.m2"
    # The host's Maven repository is mounted where the build stage's Maven looks, so dependencies resolved by the
    # project's own build are not downloaded again; without the mount (docker build) they go into a cached layer.
    "${BUILDAH[@]}" build --isolation chroot --pull=never --layers --force-rm \
        --volume "$HOME/.m2:/root/.m2" \
        --build-arg "BUILD_IMAGE=$BUILD_IMAGE" --build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE" \
        --label "org.opencontainers.image.version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | awk 'NR == 1')" \
        --label "org.opencontainers.image.revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
        --label "org.opencontainers.image.created=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        -t "localhost/ml-app-cache:$digest" -f Dockerfile . >&2
fi
"${BUILDAH[@]}" tag "localhost/ml-app-cache:$digest" "$IMAGE"
# vfs stores every layer as a full copy: keep only the newest build (its layers stay cached for the next one).
"${BUILDAH[@]}" images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/ml-app-cache:' | grep -v ":$digest\$" \
    | xargs -r "${BUILDAH[@]}" rmi >/dev/null 2>&1 || true
echo "$IMAGE"
