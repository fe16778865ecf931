# ml-app's container image: a jlinked Java runtime, the thin application jar and its dependencies, and only the
# linux-x86_64 TensorFlow natives, unpacked and stripped at build time, on the few files of debian:bookworm-slim they
# run on (glibc, which the TensorFlow natives need, the C++ runtime, a shell). Runs as a non-root user and writes nothing outside /tmp, so the root filesystem can be
# read-only.
#
#   docker build -t 10.10.1.1:5000/ml-app:0.1.0 --label org.opencontainers.image.revision=$(git rev-parse HEAD) .
#   docker run -p 5000:5000 10.10.1.1:5000/ml-app:0.1.0
# The model next to this file becomes the image's model, as './ml-app --model' would take it: ml-lb.h5, a
# model.keras (or any one .h5/.hdf5/.keras), or the weights-only pair (model.to_json() .json + model.save_weights()
# .h5), with a labels.txt / labels.json / class_names.txt beside it (docker/model-files.sh); without one the embedded
# demo model is served.
#
# Where there is no Docker engine, scripts/deploy/build-image.sh builds this file with buildah.

# Any image with a JDK 23+ (jlink included; the entry point passes --sun-misc-unsafe-memory-access, new in 23) and
# Maven 3.9 on PATH; the runtime is jlinked from this JDK.
ARG BUILD_IMAGE=docker.io/library/maven:3.9-eclipse-temurin-25
# Any glibc-based Debian or Ubuntu image with apt; musl (Alpine) cannot load the TensorFlow natives.
ARG RUNTIME_IMAGE=docker.io/library/debian:bookworm-slim

FROM ${BUILD_IMAGE} AS build
# The JDK modules the application uses (jdeps on the jar and its dependencies), plus jdk.zipfs for .keras archives,
# java.net.http for the load tester and jdk.management for the JVM metrics. Not java.desktop (and with it java.xml,
# java.datatransfer, java.prefs: 15 MB with their natives): TensorFlow's kernels decode every image format, and
# only bench --photos, which draws its photos with Java2D, needs it (it says so).
ARG JAVA_MODULES=java.base,java.logging,java.management,java.net.http,jdk.httpserver,jdk.management,jdk.unsupported,jdk.zipfs
WORKDIR /build
# Dependencies first, in their own layer: it is rebuilt only when pom.xml changes, not on every source change.
COPY pom.xml .
RUN mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:go-offline
COPY src/main src/main
# The thin jar and its runtime dependencies (target/lib, named in the jar's Class-Path); the native jar is set aside,
# to be unpacked below: a Class-Path entry that does not exist is skipped, so it is not loaded from lib/.
# (--strip-java-debug-attributes, not --strip-debug, which also strips native symbols with objcopy: binutils is not
# in every JDK image; the natives stage strips them.) Compressed modules: the AOT cache holds the classes a start
# reads, so decompression costs start-up next to nothing. No default CDS archive (14 MB): the image's JVM maps the
# AOT cache instead, which holds the JDK's classes too.
RUN mvn -B -q -DskipTests package \
 && mkdir -p target/natives target/image \
 && mv target/lib/*-linux-x86_64.jar target/natives/ \
 && mv target/ml-app.jar target/lib target/image/ \
 && jlink --add-modules "$JAVA_MODULES" --strip-java-debug-attributes --no-man-pages --no-header-files \
        --compress zip-6 --output target/image/java

# The user's trained model, when the build context has one. COPY cannot copy a file that may be absent, so the context
# (small: .dockerignore lets in only what the image is built from) is copied and the model, its weights and its
# labels picked out of it, with model.env naming them for the entry point.
FROM ${RUNTIME_IMAGE} AS model
COPY . /context/
RUN sh /context/docker/model-files.sh /context /model

FROM ${RUNTIME_IMAGE} AS natives
RUN apt-get update \
 && apt-get install -y --no-install-recommends binutils unzip \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/target/natives/ /natives/
COPY --from=build /build/target/image/java /java
# Unpacked once here instead of into ~/.javacpp on every pod start; stripping the symbols takes libtensorflow_cc.so.2
# from 632 MB to 457 MB (and the Java runtime's libjvm.so from 30 to 25 MB).
RUN unzip -q -j /natives/*.jar 'org/tensorflow/internal/c_api/linux-x86_64/*' -d /natives/lib \
 && rm /natives/*.jar \
 && strip --strip-unneeded /natives/lib/*.so* /java/lib/*.so /java/lib/server/libjvm.so

# What the image keeps of the base: glibc and the C++ runtime (all the JVM and TensorFlow link against), the shell
# the entry point runs in, sleep (the pods' preStop hook) and rm (the AOT step below), the user database. The rest
# of a Debian system (apt, dpkg, perl, coreutils: ~70 MB) is never run by the server.
FROM ${RUNTIME_IMAGE} AS base
# A fixed numeric id, so Kubernetes' runAsNonRoot can verify it; its home is /tmp, the only writable path.
RUN groupadd --gid 10001 mlapp \
 && useradd --uid 10001 --gid mlapp --home-dir /tmp --no-create-home --no-log-init --shell /usr/sbin/nologin mlapp \
 && mkdir -p /base/bin /base/etc /base/lib/x86_64-linux-gnu /base/lib64 \
 && mkdir -m 1777 /base/tmp \
 && cp -L /bin/sh /bin/sleep /bin/rm /base/bin/ \
 && cp -L /lib64/ld-linux-x86-64.so.2 /base/lib64/ \
 && for lib in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libstdc++.so.6 libgcc_s.so.1 \
        ld-linux-x86-64.so.2; do cp -L "/lib/x86_64-linux-gnu/$lib" /base/lib/x86_64-linux-gnu/; done \
 && cp /etc/passwd /etc/group /base/etc/

FROM scratch
ARG RUNTIME_IMAGE
COPY --from=base /base/ /
# Settings first, while the layers are small; the build adds version, revision and creation time as --label
# (here they would change every build and invalidate the layers below).
ENV JAVA_HOME=/opt/java \
    PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 \
    TF_CPP_MIN_LOG_LEVEL=1
LABEL org.opencontainers.image.title="ml-app" \
      org.opencontainers.image.description="Keras image classifier served with TensorFlow-Java, built to be scaled behind a Kubernetes load balancer" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"
USER 10001:10001
WORKDIR /tmp
# The port the course's Service targets; PORT changes it.
EXPOSE 5000
# No HEALTHCHECK: the image has no HTTP client to run one, and Kubernetes ignores it in favour of the pod's probes.
ENTRYPOINT ["/opt/ml-app/bin/ml-app"]
CMD ["serve"]
# Largest and least often changed first, so a code change re-ships only the last small layers.
COPY --from=natives /java /opt/java
COPY --from=natives /natives/lib /opt/ml-app/native
COPY --from=build /build/target/image/lib /opt/ml-app/lib
COPY --from=model /model /opt/ml-app/model
COPY jvm.conf /opt/ml-app/jvm.conf
COPY docker/entrypoint.sh /opt/ml-app/bin/ml-app
COPY --from=build /build/target/image/ml-app.jar /opt/ml-app/ml-app.jar
# An AOT cache of the application (JDK 24+, JEP 483/514/515: classes read, linked and profiled ahead of time):
# about a quarter less CPU to /readyz (BENCHMARKS.md, "Second round"). A short training run of the embedded
# model — a server started in-process, HTTP uploads, the model at batch 1 — writes it; here, in the final image,
# because a cache is valid only for the JVM and the jar paths it was made with. The entry point uses it when the
# JVM accepts it and silently runs without otherwise.
USER root
RUN ML_APP_AOT_TRAINING=1 TF_CPP_MIN_LOG_LEVEL=2 /opt/ml-app/bin/ml-app bench --quick --batch-sizes 1 \
        --concurrency 2 --overload-factor 0 --rss-requests 0 --preprocess-images none --calibration-budget 200ms \
        > /dev/null \
 && rm -rf /tmp/* \
 && test -s /opt/ml-app/ml-app.aot
USER 10001:10001
